import { chunkKey, contextKey, JobContext } from "../schemas/jobs";

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
	const keys = [contextKey(jobId), ...Array.from({ length: chunks }, (_, i) => chunkKey(jobId, i))];
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
