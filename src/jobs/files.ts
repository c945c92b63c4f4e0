import { chunkKey, contextKey, JobContext } from "../schemas/jobs";

const INTAKES = "intakes/";
const intakeKey = (jobId: string) => `${INTAKES}${jobId}`;

/** R2 deletes at most this many keys per call. */
const DELETE_BATCH = 1000;

export async function putContext(env: Env, jobId: string, context: JobContext): Promise<void> {
	await env.FILES.put(contextKey(jobId), JSON.stringify(context));
}

/** A CSV job's context; undefined once the job is gone. */
export async function readContext(env: Env, jobId: string): Promise<JobContext | undefined> {
	const object = await env.FILES.get(contextKey(jobId));
	return object ? JobContext.parse(await object.json()) : undefined;
}

/** Deletes what an upload of `chunks` chunks wrote for a job that will never run. */
export async function deleteJobFiles(env: Env, jobId: string, chunks: number): Promise<void> {
	const keys = [intakeKey(jobId), contextKey(jobId), ...Array.from({ length: chunks }, (_, i) => chunkKey(jobId, i))];
	for (let i = 0; i < keys.length; i += DELETE_BATCH) await env.FILES.delete(keys.slice(i, i + DELETE_BATCH));
}

/** Every file a job has in R2, found by listing: for retention, which does not know how many there are. */
export async function deleteEveryJobFile(env: Env, jobId: string): Promise<void> {
	let listed: R2Objects;
	do {
		listed = await env.FILES.list({ prefix: `jobs/${jobId}/` });
		if (listed.objects.length > 0) await env.FILES.delete(listed.objects.map((o) => o.key));
	} while (listed.truncated);
}

/**
 * Marks a job's chunks as being written. A crash while a file streams in (before the job exists
 * and before the failure path can delete them) leaves the mark, and `sweepIntakes` follows it.
 */
export async function beginIntake(env: Env, tenantId: string, jobId: string): Promise<void> {
	await env.FILES.put(intakeKey(jobId), "", { customMetadata: { tenantId } });
}

export async function endIntake(env: Env, jobId: string): Promise<void> {
	await env.FILES.delete(intakeKey(jobId));
}

/** The intakes marked before `before`: uploads that ended long ago without clearing their mark. */
export async function staleIntakes(env: Env, before: number): Promise<{ jobId: string; tenantId: string }[]> {
	const stale: { jobId: string; tenantId: string }[] = [];
	let cursor: string | undefined;
	do {
		const listed = await env.FILES.list({ prefix: INTAKES, cursor, include: ["customMetadata"] });
		for (const o of listed.objects) {
			const tenantId = o.customMetadata?.tenantId;
			if (o.uploaded.getTime() < before && tenantId) stale.push({ jobId: o.key.slice(INTAKES.length), tenantId });
		}
		cursor = listed.truncated ? listed.cursor : undefined;
	} while (cursor);
	return stale;
}
