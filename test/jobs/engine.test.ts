import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { writeChunk } from "../../src/jobs/consumer";
import { call, countRows, createTenant, type JobView, upload, waitForJob } from "../helpers";
import { deliverChunks, stagedJob } from "./staged";

const NDJSON = { "Content-Type": "application/x-ndjson" };

describe("exactly-once effects under at-least-once delivery", () => {
	it("a chunk delivered twice changes no row twice, sends no second welcome and counts once", async () => {
		const { tenant, apiKey } = await createTenant();
		const { id, message } = await stagedJob(tenant.id, [
			'{"externalId":"a"}',
			'{"externalId":"b"}',
			'{"email":"nope"}',
		]);
		const first = await deliverChunks("cohort-chunks", [message, message]);
		expect(first.explicitAcks).toHaveLength(2);
		await deliverChunks("cohort-chunks", [message]);
		const job = await (await call(`/v1/jobs/${id}`, { key: apiKey.key })).json<JobView>();
		expect(job).toMatchObject({ status: "completed", counts: { total: 3, processed: 3, created: 2, failed: 1 } });
		expect(await countRows("users", tenant.id)).toBe(2);
		expect(await countRows("notifications", tenant.id)).toBe(2);
	});

	it("a consumer that dies after writing and before reporting leaves exact counts when the chunk comes again", async () => {
		const { tenant, apiKey } = await createTenant();
		const { id, message } = await stagedJob(tenant.id, ['{"externalId":"x"}', '{"externalId":"y"}']);
		// The first consumer commits its D1 batch and is killed before it reports or acks.
		expect(await writeChunk(env, message)).toEqual({ created: 2, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
		const pending = await (await call(`/v1/jobs/${id}`, { key: apiKey.key })).json<JobView>();
		expect(pending.counts.processed).toBe(0);
		// Redelivery finds the ledger row: nothing is written again, the stored counts are reported.
		const result = await deliverChunks("cohort-chunks", [message]);
		expect(result.explicitAcks).toHaveLength(1);
		const job = await (await call(`/v1/jobs/${id}`, { key: apiKey.key })).json<JobView>();
		expect(job).toMatchObject({ status: "completed", counts: { processed: 2, created: 2, updated: 0 } });
		expect(await countRows("notifications", tenant.id)).toBe(2);
	});

	it("a chunk that keeps failing lands in the dead-letter queue and its job fails with a message", async () => {
		const { tenant, apiKey } = await createTenant();
		const { id, message } = await stagedJob(tenant.id, ['{"externalId":"d"}']);
		const result = await deliverChunks("cohort-chunks-dlq", [message]);
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
			field: "email",
			error: "Invalid email format",
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
});
