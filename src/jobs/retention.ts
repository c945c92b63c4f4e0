import { db } from "../db/client";
import { deleteJobRows } from "../db/queries/jobs";
import { tenantIds } from "../db/queries/tenants";
import { tenantObject } from "../services/tenant";

/** Deletes jobs that ended more than JOB_RETENTION_DAYS ago, with their chunk files and error reports. */
export async function purgeExpiredJobs(env: Env, now = Date.now()): Promise<number> {
	const days = Number(env.JOB_RETENTION_DAYS) || 30;
	const cutoff = new Date(now - days * 86_400_000).toISOString();
	const database = db(env);
	let purged = 0;
	for (const id of await tenantIds(database)) {
		const jobIds = await tenantObject(env, id).purgeJobs(cutoff);
		for (const jobId of jobIds) {
			let listed: R2Objects;
			do {
				listed = await env.FILES.list({ prefix: `jobs/${jobId}/` });
				if (listed.objects.length > 0) await env.FILES.delete(listed.objects.map((o) => o.key));
			} while (listed.truncated);
		}
		if (jobIds.length > 0) await deleteJobRows(database, jobIds);
		purged += jobIds.length;
	}
	return purged;
}
