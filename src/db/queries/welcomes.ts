import { and, asc, eq, inArray, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import { type Db, inJson, runBatch } from "../client";
import { notifications, notifyLeases } from "../schema";

export type WelcomeRow = typeof notifications.$inferSelect;

const pending = (tenantId: string): SQL =>
	and(eq(notifications.tenantId, tenantId), isNull(notifications.deliveredAt), isNull(notifications.failedAt))!;

/** Takes the tenant's delivery lease until `until` unless a live loop holds it. */
export async function acquireLease(database: Db, tenantId: string, holder: string, now: number, until: number) {
	const taken = await database
		.insert(notifyLeases)
		.values({ tenantId, holder, until })
		.onConflictDoUpdate({
			target: notifyLeases.tenantId,
			set: { holder, until },
			setWhere: lte(notifyLeases.until, now),
		})
		.returning({ holder: notifyLeases.holder });
	return taken.length > 0;
}

/** Extends the lease and the claims on the rows being sent; false when another loop took the lease over. */
export async function renewLease(database: Db, tenantId: string, holder: string, rowIds: number[], until: number) {
	const [lease] = await database.batch([
		database
			.update(notifyLeases)
			.set({ until })
			.where(and(eq(notifyLeases.tenantId, tenantId), eq(notifyLeases.holder, holder)))
			.returning({ holder: notifyLeases.holder }),
		database
			.update(notifications)
			.set({ claimedUntil: until })
			.where(and(inJson(notifications.id, rowIds), isNull(notifications.deliveredAt))),
	]);
	return lease.length > 0;
}

export async function releaseLease(database: Db, tenantId: string, holder: string): Promise<void> {
	await database.delete(notifyLeases).where(and(eq(notifyLeases.tenantId, tenantId), eq(notifyLeases.holder, holder)));
}

/** Claims the oldest pending rows nobody holds; the partial index means delivered rows are never walked. */
export function claimQuery(database: Db, tenantId: string, limit: number, now: number, until: number) {
	const free = database
		.select({ id: notifications.id })
		.from(notifications)
		.where(and(pending(tenantId), or(isNull(notifications.claimedUntil), lte(notifications.claimedUntil, now))))
		.orderBy(asc(notifications.id))
		.limit(limit);
	return database.update(notifications).set({ claimedUntil: until }).where(inArray(notifications.id, free)).returning();
}

/** Delivered rows are done; refused ones wait out a backoff in their claim and are given up after `maxAttempts`. */
export async function settleWelcomes(
	database: Db,
	delivered: number[],
	refused: number[],
	now: number,
	backoff: { baseMs: number; maxMs: number; maxAttempts: number },
): Promise<void> {
	const at = new Date(now).toISOString();
	await runBatch(database, [
		sql`UPDATE ${notifications} SET delivered_at = ${at}, claimed_until = NULL WHERE ${inJson(sql`id`, delivered)}`,
		sql`UPDATE ${notifications} SET attempts = attempts + 1,
			claimed_until = ${now} + min(${backoff.maxMs}, ${backoff.baseMs} * (1 << min(attempts, 20))),
			failed_at = CASE WHEN attempts + 1 >= ${backoff.maxAttempts} THEN ${at} END
			WHERE ${inJson(sql`id`, refused)}`,
	]);
}

/** When the tenant's next pending row can be claimed (epoch ms), or undefined when none is pending. */
export async function nextWelcomeDue(database: Db, tenantId: string): Promise<number | undefined> {
	const [row] = await database
		.select({ next: sql<number | null>`min(coalesce(${notifications.claimedUntil}, 0))` })
		.from(notifications)
		.where(pending(tenantId));
	return row?.next ?? undefined;
}

/**
 * Every tenant with a pending welcome message, with its delivery lease when one is held. The
 * recursive query jumps from tenant to tenant through the pending-rows index instead of reading
 * every pending row.
 */
export function tenantsWithPendingWelcomes(database: Db): Promise<{ tenantId: string; leaseUntil: number | null }[]> {
	const pendingAfter = (after: SQL) => sql`(SELECT tenant_id FROM ${notifications}
		WHERE delivered_at IS NULL AND failed_at IS NULL AND tenant_id > ${after} ORDER BY tenant_id LIMIT 1)`;
	return database.all(sql`WITH RECURSIVE t(tenant_id) AS (
			SELECT ${pendingAfter(sql`''`)}
			UNION ALL SELECT ${pendingAfter(sql`t.tenant_id`)} FROM t WHERE t.tenant_id IS NOT NULL
		)
		SELECT t.tenant_id AS tenantId, l.until AS leaseUntil FROM t LEFT JOIN ${notifyLeases} l ON l.tenant_id = t.tenant_id
		WHERE t.tenant_id IS NOT NULL`);
}
