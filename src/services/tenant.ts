import { ApiError } from "../errors";
import type { IfBusy } from "../schemas/common";
import { isExportJob } from "../schemas/exports";
import {
	ENDED_STATUSES,
	type Job,
	type JobSpec,
	type JobStatus,
	type ReportedCounts,
	type Usage,
} from "../schemas/jobs";
import type { TenantLimits } from "../schemas/tenants";
import type { JobRecord } from "../tenant/jobs";
import type { Refusal } from "../tenant/object";
import { type Download, signedLink } from "./links";

type Downloads = { resultsDownload: string; errorsDownload: string; fileDownload?: string };

/** The API's view of a job: the stored record with its rate, progress, estimate and links. */
export function jobView(job: JobRecord, downloads: Downloads, now = Date.now()): Job {
	const { total, created, updated, unchanged, skipped, failed, deactivated } = job.counts;
	const processed = created + updated + unchanged + skipped + failed;
	const started = job.startedAt ? Date.parse(job.startedAt) : undefined;
	const ended = job.completedAt ? Date.parse(job.completedAt) : now;
	const seconds = started !== undefined ? Math.max(0.001, (ended - started) / 1000) : 0;
	const rate = seconds > 0 ? processed / seconds : 0;
	const done = ENDED_STATUSES.includes(job.status);
	return {
		id: job.id,
		type: job.type,
		description: job.description,
		status: job.status,
		createdAt: job.createdAt,
		startedAt: job.startedAt,
		completedAt: job.completedAt,
		errorMessage: job.errorMessage,
		repeatable: failed > 0,
		dryRun: job.dryRun,
		...(job.position !== undefined ? { position: job.position } : {}),
		counts: { total, processed, created, updated, unchanged, skipped, failed, deactivated },
		progress: total === 0 ? (done ? 1 : 0) : Math.min(1, processed / total),
		recordsPerSecond: Math.round(rate),
		usage: job.usage,
		etaSeconds: done ? 0 : rate > 0 ? Math.ceil((total - processed) / rate) : null,
		createdBy: job.createdBy,
		...(job.commitOf ? { commitOf: job.commitOf } : {}),
		...(job.undoOf ? { undoOf: job.undoOf } : {}),
		links: {
			self: `/v1/jobs/${job.id}`,
			errors: `/v1/jobs/${job.id}/errors`,
			results: `/v1/jobs/${job.id}/results`,
			...(isExportJob(job.type) ? { file: `/v1/exports/${job.id}/file` } : {}),
			...downloads,
		},
	};
}

/** The view with download links signed now. */
export async function viewJob(env: Env, job: JobRecord, now = Date.now()): Promise<Job> {
	const link = (download: Download) =>
		signedLink(env, job.baseUrl, { tenantId: job.tenantId, jobId: job.id, download }, now);
	const [resultsDownload, errorsDownload, fileDownload] = await Promise.all([
		link("results"),
		link("errors"),
		isExportJob(job.type) ? link("file") : undefined,
	]);
	return jobView(job, { resultsDownload, errorsDownload, ...(fileDownload ? { fileDownload } : {}) }, now);
}

/** Turns a refusal from the tenant object back into the API error it stands for. */
export function orRefuse<T extends object>(result: T | Refusal): Exclude<T, Refusal> {
	if ("refused" in result) throw new ApiError(result.refused.code, result.refused.message);
	return result as Exclude<T, Refusal>;
}

const viewOrRefusal = async (env: Env, result: JobRecord | Refusal): Promise<Job | Refusal> =>
	"refused" in result ? result : viewJob(env, result);

/** The tenant's Durable Object as the rest of the service uses it: jobs come back as API views. */
export function tenantObject(env: Env, tenantId: string) {
	const stub = env.TENANT.get(env.TENANT.idFromName(tenantId));
	return {
		takeRequestToken: (limits: TenantLimits) => stub.takeRequestToken(limits),
		admit: (keyId: string, secretHash: string) => stub.admit(keyId, secretHash),
		forgetKeys: () => stub.forgetKeys(),
		applyLimits: (limits: TenantLimits) => stub.applyLimits(limits),
		isBusy: () => stub.isBusy(),
		submitJob: async (spec: JobSpec, ifBusy: IfBusy) => viewOrRefusal(env, await stub.submitJob(spec, ifBusy)),
		recordFailedJob: async (spec: JobSpec, message: string) => viewJob(env, await stub.recordFailedJob(spec, message)),
		getJob: async (id: string) => {
			const job = await stub.getJob(id);
			return job && viewJob(env, job);
		},
		getJobSpec: (id: string) => stub.getJobSpec(id),
		getJobChunks: (id: string) => stub.getJobChunks(id),
		listJobs: async (status: JobStatus | undefined, beforeSeq: number | undefined, limit: number) => {
			const page = await stub.listJobs(status, beforeSeq, limit);
			return { jobs: await Promise.all(page.jobs.map((job) => viewJob(env, job))), nextSeq: page.nextSeq };
		},
		cancelJob: async (id: string) => viewOrRefusal(env, await stub.cancelJob(id)),
		chunkDone: (jobId: string, chunk: number, counts: ReportedCounts, usage: Usage) =>
			stub.chunkDone(jobId, chunk, counts, usage),
		failJob: (jobId: string, message: string) => stub.failJob(jobId, message),
		jobEventDelivered: (jobId: string) => stub.jobEventDelivered(jobId),
		jobEventFailed: (jobId: string, error: string) => stub.jobEventFailed(jobId, error),
		expiredJobs: (cutoff: string, limit: number) => stub.expiredJobs(cutoff, limit),
		forgetJobs: (ids: string[]) => stub.forgetJobs(ids),
	};
}
