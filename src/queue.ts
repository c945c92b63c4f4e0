import { processChunk } from "./jobs/consumer";
import { deliver } from "./notify/deliver";
import type { ChunkMessage, NotifyMessage } from "./schemas/messages";
import { jobView, tenantObject } from "./services/tenant";
import type { JobEvent } from "./tenant/outbox";

const backoffSeconds = (attempts: number) => Math.min(300, 2 ** attempts);

/** Acks or retries message by message, so one failure never redelivers the others. */
async function eachMessage<T>(batch: MessageBatch<T>, work: (body: T) => Promise<void>): Promise<void> {
	await Promise.all(
		batch.messages.map(async (message) => {
			try {
				await work(message.body);
				message.ack();
			} catch (error) {
				console.error(JSON.stringify({ queue: batch.queue, attempts: message.attempts, error: String(error) }));
				message.retry({ delaySeconds: backoffSeconds(message.attempts) });
			}
		}),
	);
}

export async function handleQueue(
	batch: MessageBatch<ChunkMessage | NotifyMessage | JobEvent>,
	env: Env,
	_ctx?: ExecutionContext,
): Promise<void> {
	if (batch.queue.startsWith("cohort-notify")) {
		// A notification that failed every retry is dropped from the dead-letter queue with a log line.
		if (batch.queue.endsWith("-dlq"))
			console.error(JSON.stringify({ undeliverable: batch.messages.map((m) => m.body) }));
		else
			await eachMessage(batch as MessageBatch<NotifyMessage | JobEvent>, (body) =>
				// The tenant object announces the job as it stores it; receivers get the API's view.
				deliver(env, body.kind === "job" ? { ...body, job: jobView(body.job) } : body),
			);
		return;
	}
	const chunks = batch as MessageBatch<ChunkMessage>;
	if (batch.queue.endsWith("-dlq")) {
		for (const message of chunks.messages) {
			const { tenantId, jobId, chunk, firstLine } = message.body;
			await tenantObject(env, tenantId).failJob(
				jobId,
				`Chunk ${chunk} (records from line ${firstLine}) could not be written after repeated attempts; records of other chunks were written`,
			);
			message.ack();
		}
		return;
	}
	await eachMessage(chunks, (body) => processChunk(env, body));
}
