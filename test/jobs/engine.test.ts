import {
	createExecutionContext,
	createMessageBatch,
	createScheduledController,
	getQueueResult,
	waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { writeChunk } from "../../src/jobs/consumer";
import { chunkKey, type JobSpec } from "../../src/schemas/jobs";
import type { ChunkMessage } from "../../src/schemas/messages";
import { ImportOptions } from "../../src/schemas/records";
import { call, countRows, createTenant, type JobView, upload, waitForJob } from "../helpers";

const NDJSON = { "Content-Type": "application/x-ndjson" };
const stubFor = (tenantId: string) => env.TENANT.get(env.TENANT.idFromName(tenantId));

/** A job whose one chunk sits in R2, queued in the tenant object without any message sent yet. */
async function stagedJob(tenantId: string, lines: string[]) {
	const id = `job_staged_${crypto.randomUUID()}`;
	await env.FILES.put(chunkKey(id, 0), `${lines.join("\n")}\n`);
	const options = ImportOptions.parse({ sendWelcomeEmail: true });
	const spec: JobSpec = {
		id,
		tenantId,
		type: "users.import",
		description: "staged",
		recordType: "users",
		format: "ndjson",
		origin: "file",
		options,
		total: lines.length,
		chunks: [{ firstLine: 1, records: lines.length }],
	};
	// The queue loses this first send, so the test delivers the chunk itself.
	const send = vi.spyOn(env.CHUNKS, "sendBatch").mockResolvedValueOnce({} as never);
	await stubFor(tenantId).submitJob(spec, "queue");
	send.mockRestore();
	const message: ChunkMessage = {
		tenantId,
		jobId: id,
		chunk: 0,
		firstLine: 1,
		recordType: "users",
		format: "ndjson",
		origin: "file",
		options,
	};
	return { id, message };
}

async function deliver(queue: string, bodies: ChunkMessage[]) {
	const batch = createMessageBatch(
		queue,
		bodies.map((body, i) => ({ id: `m${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
	);
	const ctx = createExecutionContext();
	await worker.queue(batch as MessageBatch<ChunkMessage>, env, ctx);
	return getQueueResult(batch, ctx);
}

describe("exactly-once effects under at-least-once delivery", () => {
	it("a chunk delivered twice changes no row twice, sends no second welcome and counts once", async () => {
		const { tenant, apiKey } = await createTenant();
		const { id, message } = await stagedJob(tenant.id, [
			'{"externalId":"a"}',
			'{"externalId":"b"}',
			'{"email":"nope"}',
		]);
		const first = await deliver("cohort-chunks", [message, message]);
		expect(first.explicitAcks).toHaveLength(2);
		await deliver("cohort-chunks", [message]);
		const job = await (await call(`/v1/jobs/${id}`, { key: apiKey.key })).json<JobView>();
		expect(job).toMatchObject({ status: "completed", counts: { total: 3, processed: 3, created: 2, failed: 1 } });
		expect(await countRows("users", tenant.id)).toBe(2);
		expect(await countRows("notifications", tenant.id)).toBe(2);
	});

	it("a consumer that dies after writing and before reporting leaves exact counts when the chunk comes again", async () => {
		const { tenant, apiKey } = await createTenant();
		const { id, message } = await stagedJob(tenant.id, ['{"externalId":"x"}', '{"externalId":"y"}']);
		// The first consumer commits its D1 batch and is killed before it reports or acks.
		expect(await writeChunk(env, message)).toEqual({ created: 2, updated: 0, skipped: 0, failed: 0 });
		const pending = await (await call(`/v1/jobs/${id}`, { key: apiKey.key })).json<JobView>();
		expect(pending.counts.processed).toBe(0);
		// Redelivery finds the ledger row: nothing is written again, the stored counts are reported.
		const result = await deliver("cohort-chunks", [message]);
		expect(result.explicitAcks).toHaveLength(1);
		const job = await (await call(`/v1/jobs/${id}`, { key: apiKey.key })).json<JobView>();
		expect(job).toMatchObject({ status: "completed", counts: { processed: 2, created: 2, updated: 0 } });
		expect(await countRows("notifications", tenant.id)).toBe(2);
	});

	it("a chunk that keeps failing lands in the dead-letter queue and its job fails with a message", async () => {
		const { tenant, apiKey } = await createTenant();
		const { id, message } = await stagedJob(tenant.id, ['{"externalId":"d"}']);
		const result = await deliver("cohort-chunks-dlq", [message]);
		expect(result.explicitAcks).toHaveLength(1);
		const job = await (await call(`/v1/jobs/${id}`, { key: apiKey.key })).json<JobView>();
		expect(job.status).toBe("failed");
		expect(job.errorMessage).toContain("Chunk 0");
	});
});

describe("JSON batches, events and retention", () => {
	it("100 records become a job with Location; errors report the index; the seed job route sees it", async () => {
		const { apiKey } = await createTenant();
		const users = Array.from({ length: 150 }, (_, i) =>
			i === 42 ? { externalId: "u42", email: "broken" } : { externalId: `u${i}` },
		);
		const res = await call("/v1/users/bulk", { method: "POST", key: apiKey.key, json: { users } });
		expect(res.status).toBe(202);
		const created = await res.json<JobView>();
		expect(res.headers.get("Location")).toBe(`/v1/jobs/${created.id}`);
		const job = await waitForJob(apiKey.key, created.id);
		expect(job.counts).toMatchObject({ total: 150, created: 149, failed: 1 });
		const error = JSON.parse((await (await call(job.links.errors, { key: apiKey.key })).text()).trim());
		expect(error).toEqual({
			index: 42,
			code: "VALIDATION_ERROR",
			error: "email: Invalid email format",
			record: { externalId: "u42", email: "broken" },
		});
		expect(await (await call(`/v1/bulk/jobs/${job.id}`, { key: apiKey.key })).json()).toMatchObject({
			jobId: job.id,
			status: "completed",
		});
	});

	it("the events stream sends the job on every change and ends when it ends", async () => {
		const { apiKey } = await createTenant();
		const job = await (await upload(apiKey.key, "type=users", '{"externalId":"sse"}\n', NDJSON)).json<JobView>();
		const res = await call(`/v1/jobs/${job.id}/events`, { key: apiKey.key });
		expect(res.headers.get("Content-Type")).toContain("text/event-stream");
		const events = (await res.text()).split("\n\n").filter((e) => e.includes("data:"));
		const data = events.map(
			(e) =>
				JSON.parse(
					e
						.split("\n")
						.find((l) => l.startsWith("data: "))!
						.slice(6),
				) as JobView,
		);
		const last = data[data.length - 1]!;
		expect(data.every((d) => d.id === job.id)).toBe(true);
		expect(last).toMatchObject({ id: job.id, status: "completed", counts: { created: 1 } });
	});

	it("jobs older than the retention period disappear with their files and error reports", async () => {
		const { apiKey } = await createTenant();
		const job = await waitForJob(
			apiKey.key,
			(await (await upload(apiKey.key, "type=users", '{"email":"x"}\n', NDJSON)).json<JobView>()).id,
		);
		expect((await env.FILES.list({ prefix: `jobs/${job.id}/` })).objects.length).toBe(1);
		const ctx = createExecutionContext();
		await worker.scheduled(createScheduledController({ scheduledTime: Date.now() + 31 * 86_400_000 }), env, ctx);
		await waitOnExecutionContext(ctx);
		expect((await call(`/v1/jobs/${job.id}`, { key: apiKey.key })).status).toBe(404);
		expect((await env.FILES.list({ prefix: `jobs/${job.id}/` })).objects).toEqual([]);
		const errors = await env.DB.prepare("SELECT count(*) AS n FROM job_errors WHERE job_id = ?")
			.bind(job.id)
			.first<{ n: number }>();
		expect(errors!.n).toBe(0);
	});
});
