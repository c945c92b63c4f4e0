import { type Column, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { type D1Usage, metered } from "./metered";
import * as schema from "./schema";

/** The database; with `usage`, every statement adds the rows it read and wrote to it. */
export function db(env: Env, usage?: D1Usage) {
	return drizzle(usage ? metered(env.DB, usage) : env.DB, { schema });
}

export type Db = ReturnType<typeof db>;

const dialect = new SQLiteAsyncDialect();

/**
 * Runs `sql` statements as one D1 batch, which is one transaction. drizzle's own `batch()` cannot
 * take raw statements with parameters, and the bulk writes are raw `json_each` statements.
 */
export function runBatch(database: Db, statements: SQL[]) {
	const d1 = database.$client;
	return d1.batch(
		statements.map((statement) => {
			const query = dialect.sqlToQuery(statement);
			return d1.prepare(query.sql).bind(...query.params);
		}),
	);
}

/** `column IN (values)` bound as one JSON parameter: D1 allows at most 100 bound parameters. */
export function inJson(column: Column | SQL, values: readonly (string | number)[]): SQL {
	return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}
