import { type Db, records } from "../db/client";
import type { TenantShard } from "../db/placement";
import { countRetryable, writtenChunks } from "../db/queries/jobs";
import { ApiError } from "../errors";
import { readContext } from "../jobs/files";
import { type ColumnTarget, chunkKey, type Job } from "../schemas/jobs";
import { createJob } from "./create-job";
import { errorPages, quoteCsv } from "./report";
import { tenantObject } from "./tenant";

/** The header a CSV retry file needs to map back onto the parent's columns. */
function headerOf(columns: ColumnTarget[]): string {
	return columns
		.map((c) =>
			quoteCsv(c.key === undefined ? c.field : `${c.field === "customFields" ? "custom" : "metadata"}.${c.key}`),
		)
		.join(",");
}

/**
 * The chunk files of a job that never committed: dead-lettered, or never run because the job had
 * failed. A chunk's records, error rows and ledger row are one transaction, so none of their records
 * was written and the whole file goes into the retry (running a record twice is safe anyway).
 */
async function unwrittenChunks(env: Env, database: Db, jobId: string): Promise<string[]> {
	const prefix = chunkKey(jobId, 0).replace(/0$/, "");
	const indexes: number[] = [];
	let cursor: string | undefined;
	do {
		const listed = await env.FILES.list({ prefix, cursor });
		for (const o of listed.objects) indexes.push(Number(o.key.slice(prefix.length)));
		cursor = listed.truncated ? listed.cursor : undefined;
	} while (cursor);
	const written = await writtenChunks(database, jobId);
	return indexes
		.filter((i) => !written.has(i))
		.sort((a, b) => a - b)
		.map((i) => chunkKey(jobId, i));
}

/**
 * Streams the failed records of a job, as received, one per line, page by page, then the files of
 * its unwritten chunks whole. A record kept only in part (over 64 KiB) is left out: re-importing its
 * start could write cut values.
 */
function retryBody(
	env: Env,
	database: Db,
	jobId: string,
	header: string | null,
	chunks: string[],
): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	const pages = errorPages(database, jobId);
	const files = chunks.values();
	let text = header !== null ? `${header}\n` : "";
	return new ReadableStream({
		async pull(controller) {
			const { done, value } = await pages.next();
			if (!done) {
				for (const row of value) if (!row.truncated) text += `${row.raw ?? ""}\n`;
				controller.enqueue(encoder.encode(text));
				text = "";
				return;
			}
			if (text) controller.enqueue(encoder.encode(text));
			text = "";
			const file = files.next();
			if (file.done) return controller.close();
			const bytes = new Uint8Array((await (await env.FILES.get(file.value))?.arrayBuffer()) ?? new ArrayBuffer(0));
			controller.enqueue(bytes);
			if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) controller.enqueue(encoder.encode("\n"));
		},
	});
}

/**
 * A new job over the failed records of an ended job, with the parent's type and options; for a
 * failed job also over the records of its chunks that were never written.
 */
export async function retryJob(env: Env, { tenantId, shard }: TenantShard, parentId: string): Promise<Job> {
	const database = records(env, shard);
	const tenant = tenantObject(env, tenantId);
	const [parent, spec] = await Promise.all([tenant.getJob(parentId), tenant.getJobSpec(parentId)]);
	if (!parent || !spec) throw new ApiError("NOT_FOUND", `Job ${parentId} not found`);
	if (parent.status === "pending" || parent.status === "processing") {
		throw new ApiError("CONFLICT", `Job ${parentId} is still ${parent.status}; retry it once it has ended`);
	}
	const [failed, chunks] = await Promise.all([
		countRetryable(database, parentId),
		parent.status === "failed" ? unwrittenChunks(env, database, parentId) : [],
	]);
	if (failed === 0 && chunks.length === 0) {
		throw new ApiError(
			"CONFLICT",
			`Job ${parentId} has no failed records to retry (records over 64 KiB are not retried)`,
		);
	}
	const unwritten = chunks.length > 0 ? ` and the records of ${chunks.length} chunks that were never written` : "";
	const context = spec.format === "csv" ? await readContext(env, parentId) : undefined;
	return createJob(env, {
		tenantId,
		recordType: spec.recordType,
		format: spec.format,
		origin: spec.origin,
		// The failed records alone are no whole file: a retry never deactivates anyone.
		options: { ...spec.options, sync: undefined, maxDeactivate: undefined },
		body: retryBody(env, database, parentId, context ? headerOf(context.columns) : null, chunks),
		type: `${spec.recordType}.retry`,
		description: `Retry of the ${failed} failed records${unwritten} of job ${parentId}`,
	});
}
