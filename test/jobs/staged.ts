import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import worker from "../../src/index";
import { chunkKey, type JobSpec } from "../../src/schemas/jobs";
import type { ChunkMessage } from "../../src/schemas/messages";
import { ImportOptions } from "../../src/schemas/records";

const stubFor = (tenantId: string) => env.TENANT.get(env.TENANT.idFromName(tenantId));

/** A users job (NDJSON) whose chunks sit in R2, one per array of lines, with the messages that deliver them. */
export async function stageChunks(tenantId: string, options: ImportOptions, chunks: string[][]) {
	const id = `job_staged_${crypto.randomUUID()}`;
	const messages: ChunkMessage[] = [];
	let firstLine = 1;
	for (const [chunk, lines] of chunks.entries()) {
		await env.FILES.put(chunkKey(id, chunk), `${lines.join("\n")}\n`);
		const common = { recordType: "users", format: "ndjson", origin: "file", options } as const;
		messages.push({ tenantId, jobId: id, chunk, firstLine, ...common });
		firstLine += lines.length;
	}
	const spec: JobSpec = {
		id,
		tenantId,
		type: "users.import",
		description: "staged",
		recordType: "users",
		format: "ndjson",
		origin: "file",
		options,
		total: chunks.reduce((n, lines) => n + lines.length, 0),
		chunks: messages.map((m, i) => ({ firstLine: m.firstLine, records: chunks[i]!.length })),
	};
	return { id, messages, spec };
}

/**
 * A users job (NDJSON, welcome messages on) whose chunks sit in R2, one per array of lines, queued in
 * the tenant object without any message sent yet: the test delivers the chunk messages itself.
 */
export async function stagedJob(tenantId: string, ...chunks: string[][]) {
	const { id, messages, spec } = await stageChunks(tenantId, ImportOptions.parse({ sendWelcomeEmail: true }), chunks);
	// The queue loses this first send, so the test delivers the chunks itself.
	const send = vi.spyOn(env.CHUNKS, "sendBatch").mockResolvedValueOnce({} as never);
	await stubFor(tenantId).submitJob(spec, "queue");
	send.mockRestore();
	return { id, messages, message: messages[0]! };
}

/** Hands chunk messages to the queue handler as one batch (first attempt), with `bindings` in place of env's. */
export async function deliverChunks(queue: string, bodies: ChunkMessage[], bindings: Env = env) {
	const batch = createMessageBatch(
		queue,
		bodies.map((body, i) => ({ id: `m${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
	);
	const ctx = createExecutionContext();
	await worker.queue(batch, bindings, ctx);
	return getQueueResult(batch, ctx);
}
