import { eq, sql } from "drizzle-orm";
import type { TenantLimits } from "../../schemas/tenants";
import type { Db } from "../client";
import { tenants } from "../control-schema";

/** Unexecuted, so a tenant and its first key can be written in one batch. */
export function insertTenant(database: Db, row: typeof tenants.$inferInsert) {
	return database.insert(tenants).values(row);
}

export async function findTenant(database: Db, id: string) {
	const [tenant] = await database.select().from(tenants).where(eq(tenants.id, id));
	return tenant;
}

export async function setTenantLimits(database: Db, id: string, limits: TenantLimits) {
	const [tenant] = await database.update(tenants).set({ limits }).where(eq(tenants.id, id)).returning();
	return tenant;
}

export async function tenantIds(database: Db): Promise<string[]> {
	const rows = await database.select({ id: tenants.id }).from(tenants);
	return rows.map((r) => r.id);
}

/** How many tenants each shard holds; a shard with none is absent. */
export async function tenantsPerShard(database: Db): Promise<Map<number, number>> {
	const rows = await database
		.select({ shard: tenants.shard, n: sql<number>`count(*)` })
		.from(tenants)
		.groupBy(tenants.shard);
	return new Map(rows.map((r) => [r.shard, r.n]));
}
