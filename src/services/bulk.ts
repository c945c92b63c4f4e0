import { db } from "../db/client";
import { type Outcome, writeRecords } from "../db/writes";
import { ApiError } from "../errors";
import { announceWelcomes } from "../notify/deliver";
import { MAX_BULK_RECORDS } from "../schemas/bulk";
import type { IfBusy, RecordType } from "../schemas/common";
import type { Job } from "../schemas/jobs";
import { ImportOptions } from "../schemas/records";
import { createJob, recordsAsNdjson } from "./create-job";

/** Below this many records a batch is answered in the request (spec §5). */
const SYNC_LIMIT = 100;

export type Batch = {
	tenantId: string;
	/** Names the request as the writer of its rows (the last occurrence of an identity wins). */
	requestId: string;
	type: RecordType;
	records: unknown[];
	options?: ImportOptions;
	ifBusy?: IfBusy;
	maxRecords?: number;
};

/** The batch's options, once its size is known to be within its route's limit. */
function admit({ records, options, maxRecords = MAX_BULK_RECORDS }: Batch): ImportOptions {
	if (records.length > maxRecords) {
		throw new ApiError("PAYLOAD_TOO_LARGE", `At most ${maxRecords} records per request; got ${records.length}`);
	}
	return options ?? ImportOptions.parse({});
}

function bulkResult(outcome: Outcome) {
	const { created, updated, unchanged, skipped, failed } = outcome;
	return {
		successful: created + updated + unchanged + skipped,
		failed,
		created,
		updated,
		unchanged,
		skipped,
		errors: outcome.errors.map(({ ref, externalId, email, code, field, error }) => ({
			index: ref,
			externalId,
			email,
			code,
			field,
			error,
		})),
	};
}

/** A JSON batch written in the request: every record validated alone, per-record results. */
export async function writeBatch(env: Env, batch: Batch) {
	const options = admit(batch);
	const { tenantId, type, records } = batch;
	const outcome = await writeRecords(
		db(env),
		{ tenantId, source: `request:${batch.requestId}`, options, now: new Date().toISOString() },
		type,
		records.map((value, ref) => ({ ref, value })),
	);
	await announceWelcomes(env, tenantId, options, outcome.created);
	return bulkResult(outcome);
}

/** A JSON batch as a job: the records become an NDJSON file and take the file-import path. */
export async function batchJob(env: Env, batch: Batch): Promise<Job> {
	const options = admit(batch);
	return createJob(env, {
		tenantId: batch.tenantId,
		recordType: batch.type,
		format: "ndjson",
		origin: "json",
		options,
		body: recordsAsNdjson(batch.records),
		ifBusy: batch.ifBusy,
	});
}

/** Cohort's own bulk routes: answered in the request below 100 records, a job from 100 or when `async`. */
export async function submitBatch(
	env: Env,
	batch: Batch,
	async: boolean,
): Promise<{ result: Awaited<ReturnType<typeof writeBatch>> } | { job: Job }> {
	if (async || batch.records.length >= SYNC_LIMIT) return { job: await batchJob(env, batch) };
	return { result: await writeBatch(env, batch) };
}
