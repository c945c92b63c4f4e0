import { processChunk } from "./jobs/consumer";
import { deliver } from "./notify/deliver";
import type { ChunkMessage, NotifyMessage } from "./schemas/messages";
import { tenantObject, viewJob } from "./services/tenant";
import type { JobEvent } from "./tenant/outbox";

type Settled = { ok: true } | { ok: false; error: string };

const backoffSeconds = (attempts: number) => Math.min(300, 2 ** attempts);

/** Acks or retries (with backoff) message by message, so one failure never redelivers the others. */
async function settle<T>(batch: MessageBatch<T>, handle: (body: T) => Promise<Settled>): Promise<void> {
	await Promise.all(
		batch.messages.map(async (message) => {
			const result = await handle(message.body);
			if (result.ok) return message.ack();
			console.error(JSON.stringify({ queue: batch.queue, attempts: message.attempts, error: result.error }));
			message.retry({ delaySeconds: backoffSeconds(message.attempts) });
		}),
	);
}

/** For steps that report failure by throwing. */
async function attempt(step: () => Promise<unknown>): Promise<Settled> {
	try {
		await step();
		return { ok: true };
	} catch (error) {
		return { ok: false, error: String(error) };
	}
}

/**
 * One case per consumer queue in wrangler.toml. A queue's name fixes its message type (each
 * producer binding sends to one queue), hence the casts; a queue without a case is a deployment
 * error and throws, so its messages are retried rather than handled as some other queue's.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env, _ctx?: ExecutionContext): Promise<void> {
	switch (batch.queue) {
		case "cohort-chunks":
			return settle(batch as MessageBatch<ChunkMessage>, async (message) => {
				const result = await processChunk(env, message);
				return result.status === "failed" ? { ok: false, error: result.error } : { ok: true };
			});
		case "cohort-chunks-dlq":
			return settle(batch as MessageBatch<ChunkMessage>, ({ tenantId, jobId, chunk, firstLine }) =>
				attempt(() =>
					tenantObject(env, tenantId).failJob(
						jobId,
						`Chunk ${chunk} (records from line ${firstLine}) could not be written after repeated attempts; records of other chunks were written`,
					),
				),
			);
		case "cohort-notify":
			return settle(batch as MessageBatch<NotifyMessage | JobEvent>, (message) =>
				// The tenant object announces the job as it stores it; receivers get the API's view.
				attempt(async () =>
					deliver(
						env,
						message.kind === "job" ? { ...message, job: await viewJob(env, (message as JobEvent).job) } : message,
					),
				),
			);
		case "cohort-notify-dlq":
			// A notification that failed every retry is dropped with a log line.
			console.error(JSON.stringify({ undeliverable: batch.messages.map((m) => m.body) }));
			return;
		default:
			throw new Error(`No consumer for queue ${batch.queue}`);
	}
}
