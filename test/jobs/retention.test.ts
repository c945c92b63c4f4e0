import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { shardDatabases } from "../../src/db/client";
import worker from "../../src/index";
import { purgeExpiredJobs } from "../../src/jobs/retention";
import { HOURLY } from "../../src/scheduled";
import { call, createTenant, failingAfter, type JobView, shardOf, upload, waitForJob } from "../helpers";

const NDJSON = { "Content-Type": "application/x-ndjson" };
const LATER = () => Date.now() + 31 * 86_400_000;

async function endedJob(key: string, body: string) {
	return waitForJob(key, (await (await upload(key, "type=users", body, NDJSON)).json<JobView>()).id);
}

/** What a purged job must not leave: its job, its files, its error and ledger rows. */
async function leftOf(key: string, tenantId: string, jobId: string) {
	const rows = await (await shardOf(tenantId))
		.prepare(
			"SELECT (SELECT count(*) FROM job_errors WHERE job_id = ?1) + (SELECT count(*) FROM job_chunks WHERE job_id = ?1) AS n",
		)
		.bind(jobId)
		.first<{ n: number }>();
	return {
		job: (await call(`/v1/jobs/${jobId}`, { key })).status,
		files: (await env.FILES.list({ prefix: `jobs/${jobId}/` })).objects.length,
		rows: rows!.n,
	};
}

describe("retention", () => {
	it("jobs older than the retention period disappear with their files and error reports", async () => {
		const { tenant, apiKey } = await createTenant();
		const job = await endedJob(apiKey.key, '{"email":"x"}\n');
		// Its one chunk and that chunk's results; one error row and one ledger row.
		expect(await leftOf(apiKey.key, tenant.id, job.id)).toEqual({ job: 200, files: 2, rows: 2 });
		const ctx = createExecutionContext();
		await worker.scheduled(createScheduledController({ cron: HOURLY, scheduledTime: LATER() }), env, ctx);
		await waitOnExecutionContext(ctx);
		expect(await leftOf(apiKey.key, tenant.id, job.id)).toEqual({ job: 404, files: 0, rows: 0 });
	});

	it("a purge stopped at any step leaves nothing behind once the next run has finished", async () => {
		const { tenant, apiKey } = await createTenant();
		const shard = await shardOf(tenant.id);
		const stops = [
			{ FILES: failingAfter(env.FILES, "delete", 1) },
			{ FILES: failingAfter(env.FILES, "list", 1) },
			// The tenant's record shard, whichever binding that is.
			...shardDatabases(env).flatMap((d, n) =>
				d === shard ? [{ [`DB_SHARD_${n}`]: failingAfter(d, "batch", 0) }] : [],
			),
		];
		for (const stop of stops) {
			const jobs = [
				await endedJob(apiKey.key, '{"email":"bad"}\n{"externalId":"r1"}\n'),
				await endedJob(apiKey.key, '{"email":"worse"}\n'),
			];
			await expect(purgeExpiredJobs({ ...env, ...stop }, LATER())).rejects.toThrow("stopped at");
			await purgeExpiredJobs(env, LATER());
			for (const job of jobs)
				expect(await leftOf(apiKey.key, tenant.id, job.id)).toEqual({ job: 404, files: 0, rows: 0 });
		}
	});

	it("a preview whose commit has not ended keeps its chunks until the commit has ended", async () => {
		const { tenant, apiKey } = await createTenant();
		const preview = await waitForJob(
			apiKey.key,
			(await (await upload(apiKey.key, "type=users&dryRun=true", '{"externalId":"k1"}\n', NDJSON)).json<JobView>()).id,
		);
		// The commit's chunk is never sent, so it stays processing.
		const send = vi.spyOn(env.CHUNKS, "sendBatch").mockResolvedValue({} as never);
		const commit = await (
			await call(`/v1/jobs/${preview.id}/commit`, { method: "POST", key: apiKey.key })
		).json<JobView>();
		send.mockRestore();
		expect(commit.status).toBe("processing");
		await purgeExpiredJobs(env, LATER());
		expect(await leftOf(apiKey.key, tenant.id, preview.id)).toMatchObject({ job: 200, files: 3 });
		await call(`/v1/jobs/${commit.id}/cancel`, { method: "POST", key: apiKey.key });
		await purgeExpiredJobs(env, LATER());
		expect(await leftOf(apiKey.key, tenant.id, preview.id)).toEqual({ job: 404, files: 0, rows: 0 });
	});
});
