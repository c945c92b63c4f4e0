import { and, asc, eq, isNull } from "drizzle-orm";
import { db, inJson } from "../db/client";
import { notifications, webhooks } from "../db/schema";
import type { Job } from "../schemas/jobs";
import type { NotifyMessage } from "../schemas/messages";
import type { ImportOptions } from "../schemas/records";
import { postSigned } from "./sign";

const WELCOME_PAGE = 500;

/**
 * The delivery step for welcome messages: every stored, undelivered message of the tenant is
 * POSTed (signed) to NOTIFY_WEBHOOK_URL when it is set, then marked delivered. Without a URL,
 * storing is the delivery and `GET /v1/notifications` is where they are read.
 */
async function deliverWelcomes(env: Env, tenantId: string): Promise<void> {
	const database = db(env);
	for (;;) {
		const pending = await database
			.select()
			.from(notifications)
			.where(and(eq(notifications.tenantId, tenantId), isNull(notifications.deliveredAt)))
			.orderBy(asc(notifications.id))
			.limit(WELCOME_PAGE);
		if (pending.length === 0) return;
		if (env.NOTIFY_WEBHOOK_URL) {
			const messages = pending.map(({ id, kind, email, externalId, inviteMessage, createdAt }) => ({
				id,
				kind,
				email,
				externalId,
				inviteMessage,
				createdAt,
			}));
			await postSigned(env.NOTIFY_WEBHOOK_URL, env.NOTIFY_WEBHOOK_SECRET, { tenantId, messages }, env);
		}
		await database
			.update(notifications)
			.set({ deliveredAt: new Date().toISOString() })
			.where(
				inJson(
					notifications.id,
					pending.map((n) => n.id),
				),
			);
		if (pending.length < WELCOME_PAGE) return;
	}
}

/** A job reached a terminal status: tell the tenant's webhook, if it has one. */
async function deliverJob(env: Env, tenantId: string, job: Job): Promise<void> {
	const [hook] = await db(env).select().from(webhooks).where(eq(webhooks.tenantId, tenantId));
	if (hook) await postSigned(hook.url, hook.secret, { type: `job.${job.status}`, job }, env);
}

export async function deliver(env: Env, message: NotifyMessage): Promise<void> {
	if (message.kind === "welcome") await deliverWelcomes(env, message.tenantId);
	else await deliverJob(env, message.tenantId, message.job);
}

/** Wakes the delivery step after a write that created users with `sendWelcomeEmail`. */
export async function announceWelcomes(
	env: Env,
	tenantId: string,
	options: ImportOptions,
	created: number,
): Promise<void> {
	if (options.sendWelcomeEmail && !options.dryRun && created > 0)
		await env.NOTIFY.send({ kind: "welcome", tenantId } satisfies NotifyMessage);
}
