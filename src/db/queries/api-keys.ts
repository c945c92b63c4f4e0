import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { apiKeys, tenants } from "../control-schema";

/** A key with its tenant's limits and shard, revoked or not: authentication decides what a revoked key gets. */
export async function findKey(database: Db, id: string) {
	const [row] = await database
		.select({
			key: apiKeys,
			limits: tenants.limits,
			shard: tenants.shard,
			writesPausedUntil: tenants.writesPausedUntil,
		})
		.from(apiKeys)
		.innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
		.where(eq(apiKeys.id, id));
	return row;
}

/** Unexecuted, so a tenant and its first key can be written in one batch. */
export function insertKey(database: Db, row: typeof apiKeys.$inferInsert) {
	return database.insert(apiKeys).values(row);
}

/** A tenant's keys, newest first, without their hashes. */
export function listKeys(database: Db, tenantId: string) {
	return database
		.select({
			id: apiKeys.id,
			name: apiKeys.name,
			role: apiKeys.role,
			createdAt: apiKeys.createdAt,
			revokedAt: apiKeys.revokedAt,
		})
		.from(apiKeys)
		.where(eq(apiKeys.tenantId, tenantId))
		.orderBy(desc(apiKeys.createdAt));
}

/** Revokes a key of the tenant, keeping the first revocation time; false when the tenant has no such key. */
export async function revokeKey(database: Db, tenantId: string, id: string, now: string): Promise<boolean> {
	const revoked = await database
		.update(apiKeys)
		.set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${now})` })
		.where(and(eq(apiKeys.id, id), eq(apiKeys.tenantId, tenantId)))
		.returning({ id: apiKeys.id });
	return revoked.length > 0;
}
