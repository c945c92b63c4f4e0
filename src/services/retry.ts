import { db } from "../db/client";
import { countRetryable } from "../db/queries/jobs";
import { ApiError } from "../errors";
import { readContext } from "../jobs/files";
import type { ColumnTarget, Job } from "../schemas/jobs";
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
 * Streams the failed records of a job, as received, one per line, page by page. A record kept
 * only in part (over 64 KiB) is left out: re-importing its start could write cut values.
 */
function failedRecords(env: Env, jobId: string, header: string | null): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	const pages = errorPages(env, jobId);
	let text = header !== null ? `${header}\n` : "";
	return new ReadableStream({
		async pull(controller) {
			const { done, value } = await pages.next();
			if (done) {
				if (text) controller.enqueue(encoder.encode(text));
				controller.close();
				return;
			}
			for (const row of value) if (!row.truncated) text += `${row.raw ?? ""}\n`;
			controller.enqueue(encoder.encode(text));
			text = "";
		},
	});
}

/** A new job over the failed records of an ended job only, with the parent's type and options. */
export async function retryJob(env: Env, tenantId: string, parentId: string): Promise<Job> {
	const tenant = tenantObject(env, tenantId);
	const [parent, spec] = await Promise.all([tenant.getJob(parentId), tenant.getJobSpec(parentId)]);
	if (!parent || !spec) throw new ApiError("NOT_FOUND", `Job ${parentId} not found`);
	if (parent.status === "pending" || parent.status === "processing") {
		throw new ApiError("CONFLICT", `Job ${parentId} is still ${parent.status}; retry it once it has ended`);
	}
	const failed = await countRetryable(db(env), parentId);
	if (failed === 0) {
		throw new ApiError(
			"CONFLICT",
			`Job ${parentId} has no failed records to retry (records over 64 KiB are not retried)`,
		);
	}
	const context = spec.format === "csv" ? await readContext(env, parentId) : undefined;
	return createJob(env, {
		tenantId,
		recordType: spec.recordType,
		format: spec.format,
		origin: spec.origin,
		options: spec.options,
		body: failedRecords(env, parentId, context ? headerOf(context.columns) : null),
		type: `${spec.recordType}.retry`,
		description: `Retry of the ${failed} failed records of job ${parentId}`,
	});
}
