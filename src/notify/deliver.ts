import { db } from "../db/client";
import { findWebhook } from "../db/queries/webhooks";
import type { Job } from "../schemas/jobs";
import type { NotifyMessage } from "../schemas/messages";
import type { ImportOptions } from "../schemas/records";
import { postSigned } from "./sign";

/** The id a receiver deduplicates on: a job reaches one terminal status once, so the pair names the event. */
const jobDeliveryId = (job: Pick<Job, "id" | "status">) => `${job.id}.${job.status}`;

/** A job reached a terminal status: one POST to the tenant's webhook, if it has one. Throws when it is refused. */
export async function deliverJob(env: Env, tenantId: string, job: Job): Promise<void> {
	const hook = await findWebhook(db(env), tenantId);
	if (hook) await postSigned(hook.url, hook.secret, jobDeliveryId(job), { type: `job.${job.status}`, job }, env);
}

/** Wakes the delivery step after a write that created users with `sendWelcomeEmail`; true when it did. */
export async function announceWelcomes(
	env: Env,
	tenantId: string,
	options: ImportOptions,
	created: number,
): Promise<boolean> {
	if (!options.sendWelcomeEmail || options.dryRun || created === 0) return false;
	await env.NOTIFY.send({ kind: "welcome", tenantId } satisfies NotifyMessage);
	return true;
}
