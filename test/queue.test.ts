import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import type { ChunkMessage } from "../src/schemas/messages";
import { ImportOptions } from "../src/schemas/records";
import { createTenant } from "./helpers";

async function consume(queue: string, bodies: unknown[], attempts = 1, bindings: Env = env) {
	const batch = createMessageBatch(
		queue,
		bodies.map((body, i) => ({ id: `m${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body })),
	);
	const ctx = createExecutionContext();
	await worker.queue(batch, bindings, ctx);
	return getQueueResult(batch, ctx);
}

const chunkOf = (tenantId: string, jobId: string): ChunkMessage => ({
	tenantId,
	jobId,
	chunk: 0,
	firstLine: 1,
	recordType: "users",
	format: "ndjson",
	origin: "file",
	options: ImportOptions.parse({}),
});

describe("the queue boundary", () => {
	it("a chunk of a job that no longer exists is acked, not retried", async () => {
		const { tenant } = await createTenant();
		const result = await consume("cohort-chunks", [chunkOf(tenant.id, "job_deleted")]);
		expect(result.explicitAcks).toHaveLength(1);
		expect(result.retryMessages).toEqual([]);
	});

	it("a chunk message the consumer cannot read is retried, not acked", async () => {
		const result = await consume("cohort-chunks", [{ not: "a chunk" }]);
		expect(result.explicitAcks).toEqual([]);
		expect(result.retryMessages).toHaveLength(1);
	});

	it("one failing message in a batch leaves the others acked", async () => {
		const { tenant } = await createTenant();
		const result = await consume("cohort-chunks", [{ not: "a chunk" }, chunkOf(tenant.id, "job_deleted")]);
		expect(result.explicitAcks).toHaveLength(1);
		expect(result.retryMessages).toHaveLength(1);
	});

	it("the fault switch fails every Nth chunk's first attempt only, and is off unless set", async () => {
		const { tenant } = await createTenant();
		const faulty = { ...env, FAULT_CHUNK_FIRST_ATTEMPT_EVERY: "3" };
		const chunks = [0, 1, 2, 3].map((chunk) => ({ ...chunkOf(tenant.id, "job_deleted"), chunk }));
		const first = await consume("cohort-chunks", chunks, 1, faulty);
		expect(first.retryMessages).toHaveLength(2);
		expect(first.explicitAcks).toHaveLength(2);
		expect((await consume("cohort-chunks", chunks, 2, faulty)).explicitAcks).toHaveLength(4);
		expect((await consume("cohort-chunks", chunks, 1)).explicitAcks).toHaveLength(4);
	});

	it("a queue that wrangler.toml does not name is refused, never handled as another queue", async () => {
		await expect(consume("cohort-chunks-v2", [{}])).rejects.toThrow("No consumer for queue cohort-chunks-v2");
	});
});
