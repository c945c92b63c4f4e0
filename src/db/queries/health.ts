import { sql } from "drizzle-orm";
import type { Db } from "../client";

/** One round trip to D1. */
export async function ping(database: Db): Promise<void> {
	await database.run(sql`SELECT 1`);
}
