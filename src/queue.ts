import { type ChunkResult, processChunk } from "./jobs/consumer";
import { chunkAttemptFailed, deadLetterMessage } from "./jobs/dead-letters";
import { writeExportPage } from "./jobs/export";
import { moveStep } from "./jobs/move";
import { deliverJob } from "./notify/deliver";
import { deliverWelcomes } from "./notify/welcome";
import type { ChunkMessage, MoveMessage, NotifyMessage } from "./schemas/messages";
import { tenantObject, viewJob } from "./services/tenant";
import type { JobEvent } from "./tenant/outbox";

type Settled = { ok: true } | { ok: false; error: string };

const backoffSeconds = (attempts: number) => Math.min(300, 2 ** attempts);

/** Acks or retries (with backoff) message by message, so one failure never redelivers the others. */
async function settle<T>(
	queue: string,
	messages: readonly Message<T>[],
	handle: (body: T, attempts: number) => Promise<Settled>,
): Promise<void> {
	await Promise.all(
		messages.map(async (message) => {
			const result = await handle(message.body, message.attempts);
			if (result.ok) return message.ack();
			console.error(JSON.stringify({ queue, attempts: message.attempts, error: result.error }));
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
 * Welcome messages only say "this tenant has something to send": a batch runs one bounded step per
 * tenant, side by side, and a tenant with more to send gets a fresh message at the back of the queue,
 * so a tenant with 200,000 messages takes turns with the others instead of holding the consumer.
 */
async function welcomeSteps(env: Env, messages: readonly Message<NotifyMessage>[]): Promise<void> {
	const byTenant = Map.groupBy(messages, (m) => m.body.tenantId);
	await Promise.all(
		[...byTenant].map(async ([tenantId, group]) => {
			const result = await attempt(async () => {
				const { again } = await deliverWelcomes(env, tenantId);
				if (again) await env.NOTIFY.send({ kind: "welcome", tenantId } satisfies NotifyMessage, again);
			});
			if (result.ok) for (const m of group) m.ack();
			else await settle("cohort-notify", group, async () => result);
		}),
	);
}

/**
 * One POST per job event; the tenant's outbox hears how it went and owns every retry (with backoff,
 * and again if this answer never reaches it), so the message is retried only when the outbox could
 * not be told.
 */
function jobEvents(env: Env, messages: readonly Message<JobEvent>[]): Promise<void> {
	return settle("cohort-notify", messages, ({ tenantId, job }) =>
		attempt(async () => {
			const tenant = tenantObject(env, tenantId);
			// The tenant object records the job as it stores it; receivers get the API's view.
			const sent = await attempt(async () => deliverJob(env, tenantId, await viewJob(env, job)));
			if (sent.ok) await tenant.jobEventDelivered(job.id);
			else await tenant.jobEventFailed(job.id, sent.error);
		}),
	);
}

/** A move step hands over to the next by a fresh message, so that each step is retried alone. */
function moveSteps(env: Env, messages: readonly Message<MoveMessage>[]): Promise<void> {
	return settle("cohort-chunks", messages, ({ moveId }, attempts) =>
		attempt(async () => {
			const { again } = await moveStep(env, moveId, attempts);
			if (again !== undefined)
				await env.CHUNKS.send({ kind: "move", moveId } satisfies MoveMessage, { delaySeconds: again });
		}),
	);
}

const isMove = (m: Message<unknown>): m is Message<MoveMessage> => (m.body as { kind?: string }).kind === "move";

/**
 * Fault injection for the fault runs only (never set in wrangler.toml): with the var
 * FAULT_CHUNK_FIRST_ATTEMPT_EVERY=N, every Nth chunk fails its first attempt before writing anything,
 * as a consumer that died or timed out would, so the retry path is exercised without a crash.
 */
function injectedFault(env: Env, message: ChunkMessage, attempts: number): ChunkResult | undefined {
	const every = Number((env as { FAULT_CHUNK_FIRST_ATTEMPT_EVERY?: string }).FAULT_CHUNK_FIRST_ATTEMPT_EVERY ?? 0);
	if (every > 0 && attempts === 1 && message.chunk % every === 0)
		return { status: "failed", error: `injected fault: chunk ${message.chunk}, first attempt` };
	return undefined;
}

/**
 * One case per consumer queue in wrangler.toml. A queue's name fixes its message type (each
 * producer binding sends to one queue), hence the casts; a queue without a case is a deployment
 * error and throws, so its messages are retried rather than handled as some other queue's.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env, _ctx?: ExecutionContext): Promise<void> {
	switch (batch.queue) {
		case "cohort-chunks": {
			const chunks = batch.messages.filter((m) => !isMove(m)) as Message<ChunkMessage>[];
			const chunkSteps = settle(batch.queue, chunks, async (message, attempts) => {
				const step = message.step === "export" ? writeExportPage : processChunk;
				const result = injectedFault(env, message, attempts) ?? (await step(env, message));
				if (result.status !== "failed") return { ok: true };
				await chunkAttemptFailed(env, message, result.error).catch(() => undefined);
				return { ok: false, error: result.error };
			});
			await Promise.all([chunkSteps, moveSteps(env, batch.messages.filter(isMove))]);
			return;
		}
		case "cohort-chunks-dlq":
			// A move's dead step is the minute sweep's to start again (services/moves.ts).
			for (const m of batch.messages.filter(isMove)) m.ack();
			return settle(batch.queue, batch.messages.filter((m) => !isMove(m)) as Message<ChunkMessage>[], (message) =>
				attempt(async () =>
					tenantObject(env, message.tenantId).failJob(message.jobId, await deadLetterMessage(env, message)),
				),
			);
		case "cohort-notify": {
			const { messages } = batch as MessageBatch<NotifyMessage | JobEvent>;
			const welcomes = messages.filter((m): m is Message<NotifyMessage> => m.body.kind === "welcome");
			const events = messages.filter((m): m is Message<JobEvent> => m.body.kind === "job");
			await Promise.all([welcomeSteps(env, welcomes), jobEvents(env, events)]);
			return;
		}
		case "cohort-notify-dlq":
			// Welcome rows stay pending and the minute sweep sends them again; job events are the outbox's.
			console.error(JSON.stringify({ undeliverable: batch.messages.map((m) => m.body) }));
			return;
		default:
			throw new Error(`No consumer for queue ${batch.queue}`);
	}
}
