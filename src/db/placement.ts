import { db, records, shardDatabases } from "./client";
import type { D1Usage } from "./metered";
import { shardRows } from "./queries/shards";
import { findTenant, tenantsPerShard } from "./queries/tenants";

/** A tenant with its record shard, as a request knows them from authentication. */
export type TenantShard = { tenantId: string; shard: number };

/**
 * The record database of a tenant for work outside a request (queue consumers, crons), read from its
 * placement in the control database; a request has its shard from authentication instead. `usage`
 * meters its statements (the queue consumer bills a job's D1 rows).
 */
export async function tenantRecords(env: Env, tenantId: string, usage?: D1Usage) {
	return records(env, await tenantShard(env, tenantId), usage);
}

/** The tenant's shard; a tenant that no longer exists had its records on none, and 0 finds nothing of it. */
export async function tenantShard(env: Env, tenantId: string): Promise<number> {
	return (await findTenant(db(env), tenantId))?.shard ?? 0;
}

/**
 * Where a new tenant goes: the shard with the fewest stored rows, then the fewest tenants, then the
 * lowest number. Two tenants created at once may both pick the same one; the next creation evens it out.
 */
export async function leastLoadedShard(env: Env): Promise<number> {
	const shards = shardDatabases(env).map((_, n) => n);
	const [rows, tenants] = await Promise.all([
		Promise.all(shards.map((n) => shardRows(records(env, n)))),
		tenantsPerShard(db(env)),
	]);
	const load = (n: number) => [rows[n]!, tenants.get(n) ?? 0, n] as const;
	return shards.reduce((best, n) => {
		const [a, b] = [load(n), load(best)];
		return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]) ? n : best;
	}, 0);
}
