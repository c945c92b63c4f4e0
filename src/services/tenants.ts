import { randomId } from "../auth/keys";
import { db, shardDatabases } from "../db/client";
import { leastLoadedShard } from "../db/placement";
import { insertKey } from "../db/queries/api-keys";
import { findTenant, insertTenant, setTenantLimits } from "../db/queries/tenants";
import { ApiError } from "../errors";
import type { TenantLimits } from "../schemas/tenants";
import { newKey } from "./api-keys";
import { tenantObject } from "./tenant";

/**
 * A tenant and its first super_admin key, written together; the key is shown this once. The operator
 * may name the shard (the benchmark compares tenants spread over shards with tenants sharing one).
 */
export async function createTenant(env: Env, input: { name: string; limits?: TenantLimits; shard?: number }) {
	const database = db(env);
	if (input.shard !== undefined && input.shard >= shardDatabases(env).length) {
		throw new ApiError("VALIDATION_ERROR", `There is no record shard ${input.shard}`, [
			{ path: "shard", message: `at most ${shardDatabases(env).length - 1}` },
		]);
	}
	const tenant = {
		id: randomId("ten"),
		name: input.name,
		limits: input.limits ?? {},
		createdAt: new Date().toISOString(),
		shard: input.shard ?? (await leastLoadedShard(env)),
	};
	const key = await newKey(tenant.id, "initial super_admin key", "super_admin");
	await database.batch([insertTenant(database, tenant), insertKey(database, key.row)]);
	const { id, key: secret, role } = key.shown;
	return { tenant, apiKey: { id, key: secret, role } };
}

/** Merges the given limits into the tenant's; its object applies them from the next request. */
export async function updateLimits(env: Env, id: string, limits: TenantLimits) {
	const database = db(env);
	const current = await findTenant(database, id);
	if (!current) throw new ApiError("NOT_FOUND", `Tenant ${id} not found`);
	const merged = { ...current.limits, ...limits };
	const updated = await setTenantLimits(database, id, merged);
	await tenantObject(env, id).applyLimits(merged);
	return updated!;
}
