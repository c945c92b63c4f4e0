import { eq } from "drizzle-orm";
import type { Db } from "../client";
import { webhooks } from "../control-schema";

/** Sets the tenant's one webhook, replacing the one before. */
export async function putWebhook(database: Db, hook: typeof webhooks.$inferInsert): Promise<void> {
	const { url, secret, updatedAt } = hook;
	await database
		.insert(webhooks)
		.values(hook)
		.onConflictDoUpdate({ target: webhooks.tenantId, set: { url, secret, updatedAt } });
}

export async function findWebhook(database: Db, tenantId: string) {
	const [hook] = await database.select().from(webhooks).where(eq(webhooks.tenantId, tenantId));
	return hook;
}

export async function deleteWebhook(database: Db, tenantId: string): Promise<void> {
	await database.delete(webhooks).where(eq(webhooks.tenantId, tenantId));
}
