import { getContext } from "hono/context-storage";
import { randomId } from "../auth/keys";
import type { AppEnv } from "../context";
import { KINDS } from "../db/writes/kinds";
import { ApiError } from "../errors";
import { type ColumnMapping, mapCsvHeader } from "../ingest/csv";
import { decodeBody } from "../ingest/decode";
import { splitIntoChunks } from "../ingest/split";
import { beginIntake, deleteJobFiles, endIntake, putContext } from "../jobs/files";
import type { IfBusy, RecordType } from "../schemas/common";
import { type Assignments, type ColumnTarget, chunkKey, type Job, type JobSpec, noUsage } from "../schemas/jobs";
import type { ImportOptions } from "../schemas/records";
import { BUSY, type Refusal } from "../tenant/object";
import { orRefuse, tenantObject } from "./tenant";

// Fewer, larger chunks halve the per-chunk overhead (ledger, R2 objects, queue messages, the tenant object's call);
// a chunk's D1 batch stays far below 30 s and its JSON parameters are split at 2 MB (json-param.ts).
const CHUNK_BYTES = 4 * 1024 * 1024;
const CHUNK_RECORDS = 10_000;

export type JobInput = Pick<JobSpec, "tenantId" | "recordType" | "format" | "origin" | "overrides"> &
	Partial<Pick<JobSpec, "id" | "type" | "description">> & {
		/** Or how to get them once the body has streamed, for a body that carries them. */
		options: ImportOptions | (() => ImportOptions);
		/** bulkImport: catalog items every imported user gets. */
		assign?: Assignments;
		/** CSV: where columns go that their headers do not name by themselves. */
		mapping?: ColumnMapping;
		body: ReadableStream<Uint8Array>;
		encoding?: string | null;
		ifBusy?: IfBusy;
		/** A route's own limits below the service's (Userpilot: 50 MB, 10,000 records). */
		maxBytes?: number;
		maxRecords?: number;
	};

const optionsOf = ({ options }: Pick<JobInput, "options">) => (typeof options === "function" ? options() : options);

/**
 * Streams a file into R2 chunk by chunk (memory holds two chunks, whatever the file's size), then
 * hands the job to the tenant object, which queues it behind the tenant's other jobs. A file that
 * fails while streaming (too large, bad gzip, unknown CSV column) or that the tenant object
 * refuses (ifBusy=reject) leaves no job and no chunks.
 */
export async function createJob(env: Env, input: JobInput): Promise<Job> {
	const tenant = tenantObject(env, input.tenantId);
	const ifBusy = input.ifBusy ?? "queue";
	// Checked before the upload too, so a busy tenant does not wait for a whole file to be refused.
	if (ifBusy === "reject" && (await tenant.isBusy())) orRefuse(BUSY);
	if (input.mapping && input.format !== "csv") {
		throw new ApiError("VALIDATION_ERROR", "A column mapping applies to CSV files only; this file is NDJSON", [
			{ path: "mapping", message: "CSV files only" },
		]);
	}
	if (typeof input.options !== "function") assertSyncable(input.recordType, input.options);
	const id = input.id ?? randomId("job");
	let columns: ColumnTarget[] | null = null;
	const chunks: JobSpec["chunks"] = [];
	let total = 0;
	const split = splitIntoChunks({
		format: input.format,
		maxChunkBytes: CHUNK_BYTES,
		maxChunkRecords: CHUNK_RECORDS,
		onHeader: (text) => {
			columns = mapCsvHeader(text, KINDS[input.recordType], input.mapping).columns;
		},
	});
	await beginIntake(env, input.tenantId, id);
	// One chunk is written to R2 while the next is read: memory holds two chunks at most.
	let writing: Promise<unknown> = Promise.resolve();
	try {
		const stream = decodeBody(input.body, {
			encoding: input.encoding,
			maxBytes: Math.min(Number(env.MAX_IMPORT_BYTES), input.maxBytes ?? Number.POSITIVE_INFINITY),
		}).pipeThrough(split);
		for await (const chunk of stream) {
			await writing;
			writing = env.FILES.put(chunkKey(id, chunk.index), chunk.bytes);
			// Handled by the next await; marked now so a failure during the next read is not "unhandled".
			writing.catch(() => undefined);
			chunks.push({ firstLine: chunk.firstLine, records: chunk.records });
			total += chunk.records;
			if (input.maxRecords !== undefined && total > input.maxRecords) {
				throw new ApiError("PAYLOAD_TOO_LARGE", `At most ${input.maxRecords} records per file; this one has more`);
			}
		}
		await writing;
		assertSyncable(input.recordType, optionsOf(input));
		if (columns) await putContext(env, id, { columns, assign: input.assign });
	} catch (error) {
		await writing.catch(() => undefined);
		await deleteJobFiles(env, id, chunks.length);
		throw error;
	}
	const type = input.type ?? `${input.recordType}.import`;
	const description =
		input.description ??
		`Import of ${total} ${input.recordType} from ${input.origin === "json" ? "a JSON batch" : input.format === "csv" ? "a CSV file" : "an NDJSON file"}`;
	let submitted: Job | Refusal;
	try {
		submitted = await tenant.submitJob(
			{
				id,
				tenantId: input.tenantId,
				type,
				description,
				recordType: input.recordType,
				format: input.format,
				origin: input.origin,
				options: optionsOf(input),
				overrides: input.overrides,
				total,
				chunks,
				// A put per chunk, the CSV context and the intake mark (deletes are free).
				usage: { ...noUsage(), r2ClassA: chunks.length + (columns ? 2 : 1) },
				...author(),
			},
			ifBusy,
		);
	} catch (error) {
		// The job may have been stored before the answer was lost; only a job that surely does not exist is cleaned up.
		if ((await tenant.getJob(id).catch(() => true)) === undefined) await deleteJobFiles(env, id, chunks.length);
		throw error;
	}
	if ("refused" in submitted) await deleteJobFiles(env, id, chunks.length);
	await endIntake(env, id);
	return orRefuse<Job>(submitted);
}

/** A full sync deactivates users, so only a users job has one. */
export function assertSyncable(recordType: RecordType, options: ImportOptions): void {
	if (options.sync === "full" && recordType !== "users")
		throw new ApiError("VALIDATION_ERROR", `sync full is for users imports; this one imports ${recordType}`, [
			{ path: "sync", message: "only with type users" },
		]);
}

/** Every job is made by a request: its key is the job's author, its origin where the job's links point. */
export function author(): Pick<JobSpec, "createdBy" | "baseUrl"> {
	const c = getContext<AppEnv>();
	return { createdBy: c.get("createdBy"), baseUrl: new URL(c.req.url).origin };
}

/** A job that failed before it had records, e.g. a URL that could not be fetched; it says why. */
export async function failedJob(
	env: Env,
	input: Omit<JobInput, "body" | "format" | "origin">,
	message: string,
): Promise<Job> {
	const spec = {
		id: randomId("job"),
		tenantId: input.tenantId,
		type: input.type ?? `${input.recordType}.import`,
		description: input.description ?? `Import of ${input.recordType}`,
		recordType: input.recordType,
		format: "csv" as const,
		origin: "file" as const,
		options: optionsOf(input),
		total: 0,
		chunks: [],
		...author(),
	};
	return tenantObject(env, input.tenantId).recordFailedJob(spec, message);
}
