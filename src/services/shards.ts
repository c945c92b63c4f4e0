import { db, everyShard } from "../db/client";
import { shardContents } from "../db/queries/shards";
import { tenantsPerShard } from "../db/queries/tenants";
import type { ShardReport } from "../schemas/shards";

/** Each shard's tenants, rows and bytes: the figures the capacity model in the README is read against. */
export async function shardReports(env: Env): Promise<ShardReport[]> {
	const [contents, tenants] = await Promise.all([
		Promise.all(everyShard(env).map(shardContents)),
		tenantsPerShard(db(env)),
	]);
	return contents.map(({ rows, bytes }, shard) => ({ shard, tenants: tenants.get(shard) ?? 0, rows, bytes }));
}
