import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { catalogItems, companies, enrollments, users } from "../schema";

/** Record rows stored on one shard: what placement balances. */
export async function shardRows(database: Db): Promise<number> {
	const [row] = await database.all<{ n: number }>(
		sql`SELECT (SELECT count(*) FROM ${users}) + (SELECT count(*) FROM ${companies})
			+ (SELECT count(*) FROM ${enrollments}) + (SELECT count(*) FROM ${catalogItems}) AS n`,
	);
	return row?.n ?? 0;
}

/** Every record table's rows on one shard, and the database's size in bytes as D1 reports it. */
export async function shardContents(database: Db) {
	const { results, meta } = await database.$client
		.prepare(
			`SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM companies) AS companies,
				(SELECT count(*) FROM enrollments) AS enrollments, (SELECT count(*) FROM catalog_items) AS catalogItems,
				(SELECT count(*) FROM notifications) AS notifications`,
		)
		.all<{ users: number; companies: number; enrollments: number; catalogItems: number; notifications: number }>();
	return { rows: results[0]!, bytes: meta.size_after };
}
