import { records } from "../db/client";
import type { TenantShard } from "../db/placement";
import { ApiError } from "../errors";
import type { FileFormat } from "../schemas/common";
import type { Job, JobStatus } from "../schemas/jobs";
import { errorPages, errorReport } from "./report";
import { resultsReport } from "./results";
import { orRefuse, tenantObject } from "./tenant";

export async function findJob(env: Env, tenantId: string, id: string): Promise<Job> {
	const job = await tenantObject(env, tenantId).getJob(id);
	if (!job) throw new ApiError("NOT_FOUND", `Job ${id} not found`);
	return job;
}

/** Newest first; `before` is the sequence number the previous page ended at. */
export function listJobs(
	env: Env,
	tenantId: string,
	status: JobStatus | undefined,
	before: number | undefined,
	limit: number,
) {
	return tenantObject(env, tenantId).listJobs(status, before, limit);
}

export async function cancelJob(env: Env, tenantId: string, id: string): Promise<Job> {
	return orRefuse<Job>(await tenantObject(env, tenantId).cancelJob(id));
}

async function jobOrigin(env: Env, tenantId: string, id: string) {
	const origin = (await tenantObject(env, tenantId).getJobSpec(id))?.origin;
	if (!origin) throw new ApiError("NOT_FOUND", `Job ${id} not found`);
	return origin;
}

/** Every failed record of a job, streamed as NDJSON or CSV. */
export async function jobErrorReport(env: Env, { tenantId, shard }: TenantShard, id: string, format: FileFormat) {
	return errorReport(errorPages(records(env, shard), id), format, await jobOrigin(env, tenantId, id));
}

/** Every record's outcome of a job, streamed as NDJSON or CSV. */
export async function jobResultsReport(env: Env, { tenantId, shard }: TenantShard, id: string, format: FileFormat) {
	return resultsReport(env, records(env, shard), id, format, await jobOrigin(env, tenantId, id));
}
