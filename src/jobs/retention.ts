import { db } from "../db/client";
import { tenantRecords } from "../db/placement";
import { deleteJobRows } from "../db/queries/jobs";
import { tenantIds } from "../db/queries/tenants";
import { tenantObject } from "../services/tenant";
import { deleteEveryJobFile, endIntake, staleIntakes } from "./files";

/** Jobs taken per round from a tenant. */
const JOBS_PER_ROUND = 20;

/**
 * Deletes jobs that ended more than JOB_RETENTION_DAYS ago. A sweep that can stop anywhere and be
 * run again: a job's files and rows go first and the job itself last, so a job whose purge was
 * interrupted is still listed as expired and the next run finishes it; nothing is left unowned.
 */
export async function purgeExpiredJobs(env: Env, now = Date.now()): Promise<number> {
	const days = Number(env.JOB_RETENTION_DAYS) || 30;
	const cutoff = new Date(now - days * 86_400_000).toISOString();
	let purged = 0;
	for (const id of await tenantIds(db(env))) {
		const tenant = tenantObject(env, id);
		const database = await tenantRecords(env, id);
		for (;;) {
			const jobIds = await tenant.expiredJobs(cutoff, JOBS_PER_ROUND);
			if (jobIds.length === 0) break;
			for (const jobId of jobIds) await deleteEveryJobFile(env, jobId);
			await deleteJobRows(database, jobIds);
			await tenant.forgetJobs(jobIds);
			purged += jobIds.length;
		}
	}
	return purged;
}

/** An upload runs far shorter than this; a mark older than it was left by a crash. */
const INTAKE_STALE_MS = 6 * 60 * 60 * 1000;

/**
 * Finishes what a crash during a file's intake left: the chunks of a job that was never submitted
 * are deleted; a job that was submitted keeps them. Returns how many jobs' chunks it deleted.
 */
export async function sweepIntakes(env: Env, now = Date.now()): Promise<number> {
	let deleted = 0;
	for (const { jobId, tenantId } of await staleIntakes(env, now - INTAKE_STALE_MS)) {
		if (!(await tenantObject(env, tenantId).getJob(jobId))) {
			await deleteEveryJobFile(env, jobId);
			deleted++;
		}
		await endIntake(env, jobId);
	}
	return deleted;
}
