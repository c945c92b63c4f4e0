import { type Column, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import * as control from "./control-schema";
import { type D1Usage, metered } from "./metered";
import * as shard from "./schema";

const schema = { ...control, ...shard };

/**
 * The control database (binding `DB`, tables in control-schema.ts): tenants and their placement,
 * keys, sessions, idempotency, uploads, webhooks, mapping profiles. Never records: those are on the
 * tenant's shard. With `usage`, every statement adds the rows it read and wrote to it.
 */
export function db(env: Env, usage?: D1Usage) {
	return client(env.DB, usage);
}

// Building a client walks the whole schema (tens of µs); one per binding serves every request of the isolate.
const clients = new WeakMap<D1Database, ReturnType<typeof build>>();
const build = (database: D1Database) => drizzle(database, { schema });

function client(database: D1Database, usage: D1Usage | undefined) {
	if (usage) return build(metered(database, usage));
	let built = clients.get(database);
	if (!built) {
		built = build(database);
		clients.set(database, built);
	}
	return built;
}

export type Db = ReturnType<typeof db>;

/** The bindings by number; this file is the only one that names them (test/db/shards.test.ts checks). */
type ShardBindings = Record<`DB_SHARD_${number}`, D1Database | undefined>;

/** The record shards bound to this Worker, `DB_SHARD_0` up to the first missing number. */
export function shardDatabases(env: Env): D1Database[] {
	const bindings = env as unknown as ShardBindings;
	const found: D1Database[] = [];
	for (let n = 0; bindings[`DB_SHARD_${n}`]; n++) found.push(bindings[`DB_SHARD_${n}`]!);
	return found;
}

/**
 * THE accessor for record tables (schema.ts: users, companies, catalog, enrollments, notifications,
 * job ledgers and error rows): the database of record shard `shard`. A request knows its tenant's
 * shard from authentication (`c.get("shard")`); work outside a request asks `tenantRecords()` in
 * db/placement.ts. A record query on `db(env)` finds no table. `usage` meters it as `db()` does.
 */
export function records(env: Env, shard: number, usage?: D1Usage): Db {
	const database = shardDatabases(env)[shard];
	if (!database) throw new Error(`No record shard ${shard} is bound (DB_SHARD_${shard})`);
	return client(database, usage);
}

/** Every record shard, in number order: for the sweeps that look at all tenants' records. */
export function everyShard(env: Env): Db[] {
	return shardDatabases(env).map((_, n) => records(env, n));
}

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
