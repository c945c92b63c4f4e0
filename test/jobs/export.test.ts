import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { purgeExpiredJobs } from "../../src/jobs/retention";
import type { ChunkMessage } from "../../src/schemas/messages";
import { ImportOptions } from "../../src/schemas/records";
import { call, createTenant, failingAfter, type JobView, upload, waitForJob } from "../helpers";
import { deliverChunks } from "./staged";

type ExportJob = JobView & { links: { file: string } };

/** A tenant with `n` users, and an export of them whose first send the queue loses: the test delivers its steps. */
async function exportWithLostSend(n: number) {
	const { tenant, apiKey } = await createTenant();
	const lines = Array.from({ length: n }, (_, i) => `{"externalId":"u${i}","customFields":{"i":"${i}"}}`);
	const imported = await upload(apiKey.key, "type=users", `${lines.join("\n")}\n`, {
		"Content-Type": "application/x-ndjson",
	});
	await waitForJob(apiKey.key, (await imported.json<JobView>()).id);
	const send = vi.spyOn(env.CHUNKS, "sendBatch").mockResolvedValueOnce({} as never);
	const res = await call("/v1/exports", { method: "POST", key: apiKey.key, json: { type: "users", format: "csv" } });
	send.mockRestore();
	const job = await res.json<ExportJob>();
	const step = (chunk: number): ChunkMessage => ({
		tenantId: tenant.id,
		jobId: job.id,
		chunk,
		firstLine: 2 + chunk * 1000,
		recordType: "users",
		format: "csv",
		origin: "file",
		options: ImportOptions.parse({}),
		step: "export",
	});
	return { key: apiKey.key, job, step };
}

const fileOf = async (key: string, job: ExportJob) => {
	const res = await call(job.links.file, { key });
	expect(res.status).toBe(200);
	return new TextDecoder().decode(await res.arrayBuffer());
};

describe("export steps under at-least-once delivery", () => {
	it("a redelivered step rewrites its own part: the file holds every record once, the job counts each once", async () => {
		const { key, job, step } = await exportWithLostSend(2500);
		expect(job.counts.total).toBe(2500);
		await deliverChunks("cohort-chunks", [step(0), step(0), step(1)]);
		await deliverChunks("cohort-chunks", [step(1), step(2), step(0)]);
		const done = await waitForJob(key, job.id);
		expect(done).toMatchObject({ status: "completed", counts: { total: 2500, processed: 2500, unchanged: 2500 } });
		const rows = (await fileOf(key, done as ExportJob)).split("\r\n").filter((l) => l !== "");
		expect(rows[0]).toBe("externalId,email,firstName,lastName,companyId,role,clientId,status,custom.i");
		expect(rows).toHaveLength(2501);
		expect(new Set(rows.slice(1)).size).toBe(2500);
	});

	it("a step that dies after writing its part and before reporting is retried, and the export completes", async () => {
		const { key, job, step } = await exportWithLostSend(1500);
		const dying = { ...env, TENANT: failingAfter(env.TENANT, "get", 0) } as Env;
		const first = await deliverChunks("cohort-chunks", [step(0)], dying);
		expect(first.retryMessages).toHaveLength(1);
		expect((await waitForJobState(key, job.id)).counts.processed).toBe(0);
		await deliverChunks("cohort-chunks", [step(0), step(1)]);
		const done = await waitForJob(key, job.id);
		expect(done).toMatchObject({ status: "completed", counts: { processed: 1500 } });
		expect((await fileOf(key, done as ExportJob)).split("\r\n").filter((l) => l !== "")).toHaveLength(1501);
	});

	it("a cancelled export stops, keeps its status when a late step reports, and has no file", async () => {
		const { key, job, step } = await exportWithLostSend(2000);
		const cancelled = await call(`/v1/jobs/${job.id}/cancel`, { method: "POST", key });
		expect((await cancelled.json<JobView>()).status).toBe("cancelled");
		await deliverChunks("cohort-chunks", [step(0)]);
		const after = await waitForJobState(key, job.id);
		expect(after.status).toBe("cancelled");
		const file = await call(job.links.file, { key });
		expect(file.status).toBe(409);
	});

	it("retention deletes an export's plan and parts with the job", async () => {
		const { key, job, step } = await exportWithLostSend(1200);
		await deliverChunks("cohort-chunks", [step(0), step(1)]);
		await waitForJob(key, job.id);
		expect((await env.FILES.list({ prefix: `jobs/${job.id}/` })).objects.length).toBe(3);
		await purgeExpiredJobs(env, Date.now() + 31 * 86_400_000);
		expect((await env.FILES.list({ prefix: `jobs/${job.id}/` })).objects).toHaveLength(0);
		expect((await call(job.links.file, { key })).status).toBe(404);
	});
});

async function waitForJobState(key: string, id: string) {
	return (await call(`/v1/jobs/${id}`, { key })).json<JobView>();
}
