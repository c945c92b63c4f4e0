import { randomId } from "../auth/keys";
import { db } from "../db/client";
import {
	claimUpload,
	expiredUploads,
	findUpload,
	insertUpload,
	listParts,
	markAborted,
	recordPart,
	reopenUpload,
	setUploadJob,
	type UploadRow,
} from "../db/queries/uploads";
import { ApiError, ERROR_STATUS } from "../errors";
import type { ColumnMapping } from "../ingest/csv";
import type { FileFormat, RecordType } from "../schemas/common";
import type { Job } from "../schemas/jobs";
import type { MappingRef } from "../schemas/mappings";
import { ImportOptions } from "../schemas/records";
import { PART_SIZE, type Upload, type UploadedPart } from "../schemas/uploads";
import { assertSyncable, createJob } from "./create-job";
import { resolveMapping } from "./mappings";
import { tenantObject } from "./tenant";

const TTL_MS = 24 * 60 * 60 * 1000;
/** A completion that has not finished this long after expiry crashed; the sweep takes it. */
const STALE_COMPLETION_MS = 60 * 60 * 1000;

function view(row: UploadRow, parts: UploadedPart[], now: number): Upload {
	let status: Upload["status"] = row.status;
	if (row.status === "open" && Date.parse(row.expiresAt) <= now) status = "expired";
	if (row.status === "completed" && row.jobId === null) status = "completing";
	const { id, createdAt, expiresAt, jobId } = row;
	return {
		id,
		type: row.type as RecordType,
		format: row.format as FileFormat,
		status,
		partSize: PART_SIZE,
		createdAt,
		expiresAt,
		jobId,
		parts,
	};
}

/**
 * Starts an upload. Its mapping is resolved now (a profile's columns are copied) and kept with its
 * options, so the file is read at completion as it was meant when the upload began.
 */
export async function createUpload(
	env: Env,
	tenantId: string,
	input: { type: RecordType; format: FileFormat; options: ImportOptions; mapping?: MappingRef },
	now = Date.now(),
) {
	assertSyncable(input.type, input.options);
	if (input.mapping !== undefined && input.format !== "csv") {
		throw new ApiError("VALIDATION_ERROR", "A column mapping applies to CSV uploads only", [
			{ path: "mapping", message: "CSV files only" },
		]);
	}
	const mapping = await resolveMapping(env, tenantId, input.type, input.mapping);
	const id = randomId("upl");
	const key = `uploads/${id}`;
	const multipart = await env.FILES.createMultipartUpload(key);
	const row = await insertUpload(db(env), {
		id,
		tenantId,
		type: input.type,
		format: input.format,
		options: mapping ? { ...input.options, mapping } : input.options,
		r2Key: key,
		r2UploadId: multipart.uploadId,
		status: "open",
		createdAt: new Date(now).toISOString(),
		expiresAt: new Date(now + TTL_MS).toISOString(),
	});
	return view(row, [], now);
}

async function ownUpload(env: Env, tenantId: string, id: string): Promise<UploadRow> {
	const row = await findUpload(db(env), tenantId, id);
	if (!row) throw new ApiError("NOT_FOUND", `Upload ${id} not found`);
	return row;
}

export async function getUpload(env: Env, tenantId: string, id: string, now = Date.now()): Promise<Upload> {
	const row = await ownUpload(env, tenantId, id);
	return view(row, await listParts(db(env), id), now);
}

/** Why an upload no longer takes parts or a completion, as the 409 a client gets. */
function notOpen(upload: Upload): ApiError {
	const messages: Partial<Record<Upload["status"], string>> = {
		expired: `Upload ${upload.id} expired at ${upload.expiresAt} (uploads expire 24 h after creation); start a new upload`,
		aborted: `Upload ${upload.id} was aborted (expired, or its file was refused at completion); start a new upload`,
		completing: `Upload ${upload.id} is being completed; its parts can no longer change`,
		completed: `Upload ${upload.id} is completed (job ${upload.jobId}); its parts can no longer change`,
	};
	return new ApiError("CONFLICT", messages[upload.status] ?? `Upload ${upload.id} is ${upload.status}`);
}

/**
 * Streams one part to R2 (a FixedLengthStream gives R2 the length it needs and errors if the body
 * ends early or runs long). The row is written only while the upload is still open, so a part that
 * loses a race with its completion is refused rather than silently left out of the file.
 */
export async function putPart(
	env: Env,
	tenantId: string,
	id: string,
	partNumber: number,
	body: ReadableStream<Uint8Array>,
	size: number,
	now = Date.now(),
) {
	const row = await ownUpload(env, tenantId, id);
	const upload = view(row, [], now);
	if (upload.status !== "open") throw notOpen(upload);
	if (size > PART_SIZE)
		throw new ApiError("PAYLOAD_TOO_LARGE", `A part holds at most ${PART_SIZE} bytes (partSize); got ${size}`);
	if (size === 0) throw new ApiError("VALIDATION_ERROR", "A part must not be empty");
	const maxBytes = Number(env.MAX_IMPORT_BYTES);
	if ((partNumber - 1) * PART_SIZE + size > maxBytes) {
		throw new ApiError(
			"PAYLOAD_TOO_LARGE",
			`An upload holds at most ${maxBytes} bytes; part ${partNumber} would end past that`,
		);
	}
	let received = 0;
	const counted = body.pipeThrough(
		new TransformStream<Uint8Array, Uint8Array>({
			transform(chunk, controller) {
				received += chunk.byteLength;
				controller.enqueue(chunk);
			},
		}),
	);
	let part: R2UploadedPart;
	try {
		part = await env.FILES.resumeMultipartUpload(row.r2Key, row.r2UploadId).uploadPart(
			partNumber,
			counted.pipeThrough(new FixedLengthStream(size)),
		);
	} catch (error) {
		if (received === size) throw error;
		throw new ApiError(
			"VALIDATION_ERROR",
			`The body has ${received > size ? "more" : "fewer"} bytes than its Content-Length (${size})`,
		);
	}
	const recorded = await recordPart(db(env), id, { partNumber, etag: part.etag, size });
	if (!recorded) throw notOpen(await getUpload(env, tenantId, id, now));
	return { partNumber, size, etag: part.etag };
}

/** Parts 1..last must all be there, and all but the last exactly PART_SIZE bytes. */
function checkParts(parts: UploadedPart[]) {
	if (parts.length === 0) throw new ApiError("VALIDATION_ERROR", "The upload has no parts yet");
	const last = parts[parts.length - 1]!.partNumber;
	const have = new Set(parts.map((p) => p.partNumber));
	const missing = Array.from({ length: last }, (_, i) => i + 1).filter((n) => !have.has(n));
	if (missing.length > 0) {
		const details = missing.slice(0, 100).map((n) => ({ path: `parts.${n}`, message: "missing" }));
		throw new ApiError(
			"VALIDATION_ERROR",
			`Missing parts: ${numbers(missing)} (the last part received is ${last})`,
			details,
		);
	}
	const wrong = parts.filter((p) => p.partNumber !== last && p.size !== PART_SIZE);
	if (wrong.length > 0) {
		const details = wrong
			.slice(0, 100)
			.map((p) => ({ path: `parts.${p.partNumber}`, message: `${p.size} bytes; must be ${PART_SIZE}` }));
		throw new ApiError(
			"VALIDATION_ERROR",
			`Parts of the wrong size: ${numbers(wrong.map((p) => p.partNumber))} (every part but the last must be ${PART_SIZE} bytes)`,
			details,
		);
	}
}

const numbers = (list: number[]) =>
	list.length > 20 ? `${list.slice(0, 20).join(", ")} and ${list.length - 20} more` : list.join(", ");

/** An upload's job id is fixed by the upload, so a completion run twice (after a crash) makes one job. */
const uploadJobId = (uploadId: string) => `job_${uploadId.slice(uploadId.indexOf("_") + 1)}`;

/**
 * Claims the upload (open -> completed without a job), assembles the R2 object from the parts and
 * streams it into a job like any file import. A second completion answers with the same job. A
 * failure before the job exists reopens the upload so completing can be tried again, except when
 * the file itself is refused (say, an unknown CSV column): the same bytes would fail again, so the
 * upload is aborted and the error says why. A completion that crashed part-way is finished by the
 * next call: every step (assembling, cutting chunks under the fixed job id, submitting the job) is
 * safe to run again.
 */
export async function completeUpload(env: Env, tenantId: string, id: string, now = Date.now()): Promise<Job> {
	const database = db(env);
	const row =
		(await claimUpload(database, tenantId, id, new Date(now).toISOString())) ??
		(await unfinishedCompletion(env, tenantId, id, now));
	if (!("r2Key" in row)) return row;
	let assembled = false;
	try {
		const parts = await listParts(database, id);
		checkParts(parts);
		if (!(await env.FILES.head(row.r2Key))) {
			await env.FILES.resumeMultipartUpload(row.r2Key, row.r2UploadId).complete(
				parts.map(({ partNumber, etag }) => ({ partNumber, etag })),
			);
		}
		assembled = true;
		const object = await env.FILES.get(row.r2Key);
		if (!object) throw new Error(`assembled object ${row.r2Key} is missing`);
		const { mapping, ...options } = row.options;
		const job = await createJob(env, {
			id: uploadJobId(id),
			tenantId,
			recordType: row.type as RecordType,
			format: row.format as FileFormat,
			origin: "file",
			options: ImportOptions.parse(options),
			mapping: mapping as ColumnMapping | undefined,
			body: object.body,
		});
		await setUploadJob(database, id, job.id);
		await env.FILES.delete(row.r2Key);
		return job;
	} catch (error) {
		const refused = assembled && error instanceof ApiError && ERROR_STATUS[error.code] < 500;
		if (refused) await discard(env, row);
		else await reopenUpload(database, id);
		throw error;
	}
}

/**
 * An upload that could not be claimed: its job when it has one (recorded now if a crash came
 * between submitting the job and recording it), or its row when a completion began and never
 * made the job, so that this call finishes it.
 */
async function unfinishedCompletion(env: Env, tenantId: string, id: string, now: number): Promise<Job | UploadRow> {
	const row = await ownUpload(env, tenantId, id);
	const upload = view(row, await listParts(db(env), id), now);
	if (upload.status !== "completing") return existingJob(env, tenantId, upload);
	const job = await tenantObject(env, tenantId).getJob(uploadJobId(id));
	if (job) {
		await setUploadJob(db(env), id, job.id);
		return job;
	}
	return row;
}

/** The answer to completing an upload that is not open: its job, or why there is none. */
async function existingJob(env: Env, tenantId: string, upload: Upload): Promise<Job> {
	if (upload.status !== "completed") throw notOpen(upload);
	const job = await tenantObject(env, tenantId).getJob(upload.jobId!);
	if (!job)
		throw new ApiError(
			"NOT_FOUND",
			`Job ${upload.jobId} of upload ${upload.id} no longer exists; ended jobs are deleted after ${env.JOB_RETENTION_DAYS} days`,
		);
	return job;
}

/** Frees what an upload holds in R2 and D1 and marks it aborted. */
async function discard(env: Env, row: UploadRow) {
	try {
		await env.FILES.resumeMultipartUpload(row.r2Key, row.r2UploadId).abort();
	} catch (error) {
		// Already completed (its object is deleted below) or already gone. Should R2 fail here, its
		// default lifecycle rule still aborts multipart uploads left unfinished for 7 days.
		console.warn(JSON.stringify({ upload: row.id, abort: String(error) }));
	}
	await env.FILES.delete(row.r2Key);
	await markAborted(db(env), row.id);
}

/**
 * For the scheduled handler: aborts uploads left open past expiresAt (and completions that
 * crashed), removing their parts from R2 and D1. Returns how many it aborted.
 */
export async function expireUploads(env: Env, now = Date.now()): Promise<number> {
	const database = db(env);
	const at = new Date(now).toISOString();
	const staleBefore = new Date(now - STALE_COMPLETION_MS).toISOString();
	let aborted = 0;
	for (;;) {
		const rows = await expiredUploads(database, at, staleBefore, 100);
		for (const row of rows) {
			const job = row.status === "completed" && (await tenantObject(env, row.tenantId).getJob(uploadJobId(row.id)));
			if (job) await setUploadJob(database, row.id, job.id);
			else {
				await discard(env, row);
				aborted++;
			}
		}
		if (rows.length < 100) return aborted;
	}
}
