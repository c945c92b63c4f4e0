import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";

/** D1 allows 2 MB per bound value; a UTF-16 unit is at most 3 UTF-8 bytes, so 600k units is safe. */
const MAX_PARAM_CHARS = 600_000;

/**
 * Splits rows into JSON arrays of bounded size, each bound as the single parameter of one
 * `json_each` statement: a chunk of thousands of rows costs a handful of statements.
 */
export function jsonParts(rows: unknown[]): string[] {
	const parts: string[] = [];
	let current: string[] = [];
	let size = 2;
	for (const row of rows) {
		const text = JSON.stringify(row);
		if (current.length > 0 && size + text.length + 1 > MAX_PARAM_CHARS) {
			parts.push(`[${current.join(",")}]`);
			current = [];
			size = 2;
		}
		current.push(text);
		size += text.length + 1;
	}
	if (current.length > 0) parts.push(`[${current.join(",")}]`);
	return parts;
}

/**
 * Rows bound as JSON arrays of `fields` in order and read in SQL with `field(name)` (`v->>i`):
 * positional arrays are smaller than objects and cheaper for SQLite to read (in raw SQLite, about
 * 40% more user inserts per second than keyed objects). A JSON object field reads as its JSON text.
 */
export function jsonRows<F extends string>(fields: readonly F[]) {
	return {
		parts: (rows: Partial<Record<F, unknown>>[]) => jsonParts(rows.map((row) => fields.map((f) => row[f] ?? null))),
		field: (name: F) => sql.raw(`v->>${fields.indexOf(name)}`),
	};
}

/** The table-valued function that reads bound rows: `jsonb_each` where the database has it. */
export type RowsFunction = "json_each" | "jsonb_each";

let known: RowsFunction | undefined;

/**
 * `jsonb_each` (SQLite 3.51) hands each row to `v->>i` as JSONB; `json_each` renders it back into
 * JSON text, which the row's every `->>` parses again. Processing an import ran about a tenth
 * faster with it (200,000 users, three runs each way). Whether the database has it is asked once
 * per isolate, and an older SQLite gets `json_each`; both give the same values (test/db/writes).
 */
export async function rowsFunction(database: Db): Promise<RowsFunction> {
	if (known) return known;
	try {
		await database.all(sql`SELECT 1 FROM jsonb_each('[]')`);
		known = "jsonb_each";
	} catch (error) {
		if (!String((error as Error).cause ?? error).includes("no such table")) return "json_each";
		known = "json_each";
	}
	return known;
}

/** One bound part of rows (from `parts`) as a table of `v`, each row read with `field()`. */
export const rowsOf = (part: string, each: RowsFunction): SQL =>
	sql`(SELECT value AS v FROM ${sql.raw(each)}(${part}))`;
