import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../client";
import { idempotencyKeys } from "../control-schema";

/** A key of a tenant, and the request it is used for: method, path and query string. */
export type Slot = { tenantId: string; key: string; route: string };
export type StoredResponse = { bodyHash: string; status: number; headers: Record<string, string>; body: string };
/** What the key already holds: the request it was first used for, and its response once there is one. */
export type KeyUse = { route: string; bodyHash: string; response?: StoredResponse };

const slot = ({ tenantId, key }: Slot) => and(eq(idempotencyKeys.tenantId, tenantId), eq(idempotencyKeys.key, key));
const heldBy = (at: Slot, holder: string) => and(slot(at), eq(idempotencyKeys.holder, holder));

/**
 * Reserves the key for `holder` until `leaseUntil`: a new key (after dropping one older than
 * `expiredBefore`), or one for the same request whose reservation was left by a request that died
 * (its lease ran out before it stored a response). Says whether it is now held, and the body hash
 * the dead request had recorded ("" when it died before its body was read).
 */
export async function reserveKey(
	database: Db,
	at: Slot,
	holder: string,
	bodyHash: string,
	{ now, leaseUntil, expiredBefore }: { now: number; leaseUntil: number; expiredBefore: number },
): Promise<{ held: false } | { held: true; earlierHash: string }> {
	await database.delete(idempotencyKeys).where(and(slot(at), lt(idempotencyKeys.createdAt, expiredBefore)));
	const fresh = await database
		.insert(idempotencyKeys)
		.values({ ...at, bodyHash, createdAt: now, holder, leaseUntil })
		.onConflictDoNothing()
		.returning({ key: idempotencyKeys.key });
	if (fresh.length > 0) return { held: true, earlierHash: "" };
	const [abandoned] = await database
		.update(idempotencyKeys)
		.set({ holder, leaseUntil })
		.where(
			and(
				slot(at),
				eq(idempotencyKeys.route, at.route),
				isNull(idempotencyKeys.status),
				or(isNull(idempotencyKeys.leaseUntil), lt(idempotencyKeys.leaseUntil, now)),
			),
		)
		.returning({ bodyHash: idempotencyKeys.bodyHash });
	return abandoned ? { held: true, earlierHash: abandoned.bodyHash } : { held: false };
}

/** Keeps a running request's reservation alive; false when it was lost (its lease ran out and another took it). */
export async function renewKey(database: Db, at: Slot, holder: string, leaseUntil: number): Promise<boolean> {
	const renewed = await database
		.update(idempotencyKeys)
		.set({ leaseUntil })
		.where(and(heldBy(at, holder), isNull(idempotencyKeys.status)))
		.returning({ key: idempotencyKeys.key });
	return renewed.length > 0;
}

/** Records the body's hash as soon as a streamed body has been read, for a retry after a crash to compare. */
export async function recordBodyHash(database: Db, at: Slot, holder: string, bodyHash: string): Promise<void> {
	await database.update(idempotencyKeys).set({ bodyHash }).where(heldBy(at, holder));
}

export async function keyUse(database: Db, at: Slot): Promise<KeyUse | undefined> {
	const [row] = await database.select().from(idempotencyKeys).where(slot(at));
	if (!row) return undefined;
	const { route, bodyHash, status } = row;
	if (status === null) return { route, bodyHash };
	return { route, bodyHash, response: { bodyHash, status, headers: row.headers ?? {}, body: row.body ?? "" } };
}

export async function storeResponse(database: Db, at: Slot, holder: string, response: StoredResponse): Promise<void> {
	await database
		.update(idempotencyKeys)
		.set({ ...response, leaseUntil: null })
		.where(heldBy(at, holder));
}

/** A request that did not succeed frees its key, so it can be corrected and sent again. */
export async function releaseKey(database: Db, at: Slot, holder: string): Promise<void> {
	await database.delete(idempotencyKeys).where(heldBy(at, holder));
}

/** A request that took over a dead one's key and did not succeed leaves it as it found it, free for its body. */
export async function giveBackKey(database: Db, at: Slot, holder: string): Promise<void> {
	await database.update(idempotencyKeys).set({ leaseUntil: 0 }).where(heldBy(at, holder));
}
