import type { z } from "@hono/zod-openapi";
import { jsonStream } from "../content-type";
import { records } from "../db/client";
import { type Outcome, writeRecords } from "../db/writes";
import { KINDS } from "../db/writes/kinds";
import { ApiError } from "../errors";
import { BulkBodyReader } from "../ingest/json-body";
import { announceWelcomes } from "../notify/deliver";
import { BULK_BODIES, MAX_BULK_RECORDS } from "../schemas/bulk";
import type { IfBusy, RecordType } from "../schemas/common";
import type { Job } from "../schemas/jobs";
import type { ImportOptions } from "../schemas/records";
import { createJob } from "./create-job";

/** Below this many records a batch is answered in the request (spec §5). */
const SYNC_LIMIT = 100;

export type Batch = {
	tenantId: string;
	/** The tenant's record shard, where a batch answered in the request is written. */
	shard: number;
	/** Names the request as the writer of its rows (the last occurrence of an identity wins). */
	requestId: string;
	type: RecordType;
	/** The request whose JSON body (`{"users": […], "options": {…}}`) holds the batch; read as it streams. */
	request: Request;
	/** The route's body schema, when it is not its record type's usual one (other option defaults). */
	schema?: z.ZodType;
	/** Options the route sets whatever the body says. */
	fixedOptions?: Partial<ImportOptions>;
	ifBusy?: IfBusy;
	maxRecords?: number;
};

function bodyOf({ request, type, schema = BULK_BODIES[type], maxRecords = MAX_BULK_RECORDS }: Batch): BulkBodyReader {
	return new BulkBodyReader(jsonStream(request), { key: KINDS[type].body, schema }, maxRecords);
}

/** The batch's options, known once its body has been read to the end. */
const optionsOf = (batch: Batch, body: BulkBodyReader): ImportOptions => ({
	...body.importOptions,
	...batch.fixedOptions,
});

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

/** The whole body's records written in the request: every record validated alone, per-record results. */
async function write(env: Env, batch: Batch, body: BulkBodyReader, head: unknown[] = []) {
	const values = [...head, ...(await body.take(Number.POSITIVE_INFINITY))];
	const options = optionsOf(batch, body);
	if (options.sync === "full")
		throw new ApiError("VALIDATION_ERROR", "A full sync runs as a job: send it with ?mode=async, or as a file", [
			{ path: "options.sync", message: "only in a job" },
		]);
	const { tenantId, type } = batch;
	const outcome = await writeRecords(
		records(env, batch.shard),
		{ tenantId, source: `request:${batch.requestId}`, options, now: new Date().toISOString() },
		type,
		values.map((value, ref) => ({ ref, value })),
	);
	await announceWelcomes(env, tenantId, options, outcome.created);
	return bulkResult(outcome);
}

/** The body's records as a job: they stream into an NDJSON file as they are parsed and take the file-import path. */
function asJob(env: Env, batch: Batch, body: BulkBodyReader, head: unknown[] = []): Promise<Job> {
	return createJob(env, {
		tenantId: batch.tenantId,
		recordType: batch.type,
		format: "ndjson",
		origin: "json",
		// A JSON body's options may come after its records: they are known once the body has streamed.
		options: () => optionsOf(batch, body),
		body: body.ndjson(head),
		ifBusy: batch.ifBusy,
	});
}

/** A JSON batch written in the request, whatever its size (up to its route's limit). */
export const writeBatch = (env: Env, batch: Batch) => write(env, batch, bodyOf(batch));

/** A JSON batch as a job, whatever its size. */
export const batchJob = (env: Env, batch: Batch) => asJob(env, batch, bodyOf(batch));

/** Cohort's own bulk routes: answered in the request below 100 records, a job from 100 or when `async`. */
export async function submitBatch(
	env: Env,
	batch: Batch,
	async: boolean,
): Promise<{ result: Awaited<ReturnType<typeof writeBatch>> } | { job: Job }> {
	const body = bodyOf(batch);
	const head = await body.take(SYNC_LIMIT);
	if (async || head.length >= SYNC_LIMIT) return { job: await asJob(env, batch, body, head) };
	return { result: await write(env, batch, body, head) };
}
