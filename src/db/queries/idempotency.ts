import { and, eq, lt } from "drizzle-orm";
import type { Db } from "../client";
import { idempotencyKeys } from "../schema";

type Slot = { tenantId: string; key: string; route: string };
export type StoredResponse = { bodyHash: string; status: number; headers: Record<string, string>; body: string };

const slot = ({ tenantId, key, route }: Slot) =>
	and(eq(idempotencyKeys.tenantId, tenantId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.route, route));

/**
 * Reserves the key for this request, after dropping a reservation older than `expiredBefore`;
 * false when another request holds it (finished or still running).
 */
export async function reserveKey(database: Db, at: Slot, now: number, expiredBefore: number): Promise<boolean> {
	await database.delete(idempotencyKeys).where(and(slot(at), lt(idempotencyKeys.createdAt, expiredBefore)));
	const reserved = await database
		.insert(idempotencyKeys)
		.values({ ...at, bodyHash: "", createdAt: now })
		.onConflictDoNothing()
		.returning({ key: idempotencyKeys.key });
	return reserved.length > 0;
}

/** The response stored for the key; undefined while its first request is still running. */
export async function storedResponse(database: Db, at: Slot): Promise<StoredResponse | undefined> {
	const [row] = await database.select().from(idempotencyKeys).where(slot(at));
	if (!row || row.status === null) return undefined;
	return { bodyHash: row.bodyHash, status: row.status, headers: row.headers ?? {}, body: row.body ?? "" };
}

export async function storeResponse(database: Db, at: Slot, response: StoredResponse): Promise<void> {
	await database.update(idempotencyKeys).set(response).where(slot(at));
}

/** A request that did not succeed frees its key, so it can be corrected and sent again. */
export async function releaseKey(database: Db, at: Slot): Promise<void> {
	await database.delete(idempotencyKeys).where(slot(at));
}
