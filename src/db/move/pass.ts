import type { Db } from "../client";
import { ID_TABLES, type MovedTable } from "./tables";

/** A tenant as the moved tables name it: by `tenant_id`, or by the ids of its jobs. */
export type MoveScope = { tenantId: string; jobIds: readonly string[] };

type Row = Record<string, unknown>;

/** Rows per page of a copy pass; a page's rows travel as one JSON parameter, split below 2 MB (D1's limit per value). */
const PAGE_ROWS = 500;
const PARAM_BYTES = 900_000;

const quoted = (column: string) => `"${column}"`;

function scoped(table: MovedTable, scope: MoveScope): { where: string; params: unknown[] } {
	return table.scope === "tenant"
		? { where: "tenant_id = ?", params: [scope.tenantId] }
		: { where: "job_id IN (SELECT value FROM json_each(?))", params: [JSON.stringify(scope.jobIds)] };
}

/** `row` with `delta` added to its shifted columns (ids and references to them). */
function shifted(table: MovedTable, row: Row, delta: number): Row {
	const out = { ...row };
	for (const column of table.shifted)
		if (typeof out[column] === "number") out[column] = (out[column] as number) + delta;
	return out;
}

const keyOf = (table: MovedTable, row: Row) => table.key.map((k) => row[k]);
const tuple = (table: MovedTable) => `(${table.key.map(quoted).join(", ")})`;
const marks = (table: MovedTable) => `(${table.key.map(() => "?").join(", ")})`;

/**
 * One page of a copy pass from `from` to `to`: the next PAGE_ROWS of the tenant's rows after `after`
 * (null: from the start), compared with the target's rows of the same key range, ids shifted by
 * `shift`. Rows missing or different on the target are written (INSERT OR REPLACE, so a page done
 * twice writes the same), rows the source no longer has are deleted. Returns the last key (null when
 * the table is done) and how many rows it changed; a pass with no changes found both sides equal.
 * A target row of another tenant at a shifted id fails the move rather than being overwritten.
 */
export async function copyPage(
	from: Db,
	to: Db,
	table: MovedTable,
	scope: MoveScope,
	shift: number,
	after: unknown[] | null,
): Promise<{ after: unknown[] | null; changes: number }> {
	const { where, params } = scoped(table, scope);
	const order = table.key.map(quoted).join(", ");
	const from_ = after ? ` AND ${tuple(table)} > ${marks(table)}` : "";
	const source = await all(from, `SELECT * FROM ${table.name} WHERE ${where}${from_} ORDER BY ${order} LIMIT ?`, [
		...params,
		...(after ?? []),
		PAGE_ROWS,
	]);
	const last = source.length === PAGE_ROWS ? keyOf(table, source[source.length - 1]!) : null;
	const shiftKey = (key: unknown[]) =>
		keyOf(table, shifted(table, Object.fromEntries(table.key.map((k, i) => [k, key[i]])), shift));
	const until = last ? ` AND ${tuple(table)} <= ${marks(table)}` : "";
	const target = await all(
		to,
		`SELECT rowid AS _rowid, * FROM ${table.name} WHERE ${where}${from_}${until} ORDER BY ${order}`,
		[...params, ...(after ? shiftKey(after) : []), ...(last ? shiftKey(last) : [])],
	);
	const stored = new Map(
		target.map(({ _rowid, ...row }) => [
			JSON.stringify(keyOf(table, row)),
			{ rowid: _rowid, text: JSON.stringify(row) },
		]),
	);
	const writes: Row[] = [];
	for (const row of source) {
		const moved = shifted(table, row, shift);
		const key = JSON.stringify(keyOf(table, moved));
		if (stored.get(key)?.text !== JSON.stringify(moved)) writes.push(moved);
		stored.delete(key);
	}
	const gone = [...stored.values()].map((s) => s.rowid);
	if (writes.length > 0 && table.scope === "tenant" && (ID_TABLES as readonly string[]).includes(table.name)) {
		await refuseForeignIds(to, table, scope.tenantId, writes);
	}
	const statements = [
		...(gone.length > 0
			? [
					to.$client
						.prepare(`DELETE FROM ${table.name} WHERE rowid IN (SELECT value FROM json_each(?))`)
						.bind(JSON.stringify(gone)),
				]
			: []),
		...upserts(to, table, writes),
	];
	if (statements.length > 0) await to.$client.batch(statements);
	return { after: last, changes: writes.length + gone.length };
}

/** Ids in a tenant's band belong to it alone; another tenant's row there means the band was not free. */
async function refuseForeignIds(to: Db, table: MovedTable, tenantId: string, writes: Row[]): Promise<void> {
	const ids = JSON.stringify(writes.map((r) => r.id));
	const [clash] = await all(
		to,
		`SELECT id FROM ${table.name} WHERE id IN (SELECT value FROM json_each(?)) AND tenant_id != ? LIMIT 1`,
		[ids, tenantId],
	);
	if (clash) throw new Error(`${table.name} id ${clash.id} on the target shard belongs to another tenant`);
}

/** INSERT OR REPLACE of rows from JSON parameters, each under PARAM_BYTES. */
function upserts(to: Db, table: MovedTable, rows: Row[]): D1PreparedStatement[] {
	if (rows.length === 0) return [];
	const columns = Object.keys(rows[0]!);
	const statement = `INSERT OR REPLACE INTO ${table.name} (${columns.map(quoted).join(", ")})
		SELECT ${columns.map((c) => `value ->> '$.${c}'`).join(", ")} FROM json_each(?)`;
	const out: D1PreparedStatement[] = [];
	let part: string[] = [];
	let bytes = 0;
	const flush = () => {
		if (part.length > 0) out.push(to.$client.prepare(statement).bind(`[${part.join(",")}]`));
		part = [];
		bytes = 0;
	};
	for (const row of rows) {
		const text = JSON.stringify(row);
		if (bytes + text.length > PARAM_BYTES) flush();
		part.push(text);
		bytes += text.length;
	}
	flush();
	return out;
}

/** Deletes up to `limit` of the tenant's rows of one table; returns how many it deleted. */
export async function deletePage(database: Db, table: MovedTable, scope: MoveScope, limit = 2_000): Promise<number> {
	const { where, params } = scoped(table, scope);
	const result = await database.$client
		.prepare(`DELETE FROM ${table.name} WHERE rowid IN (SELECT rowid FROM ${table.name} WHERE ${where} LIMIT ?)`)
		.bind(...params, limit)
		.run();
	return result.meta.changes;
}

/**
 * The shift for a move: the tenant's ids (all below the source's largest id plus 2^32, room for the
 * rows written while it moves) land below every id the target holds, where the target's own new rows,
 * allocated above its largest id, never go.
 */
export async function chooseShift(from: Db, to: Db): Promise<number> {
	const bound = (fn: "min" | "max") =>
		`SELECT ${fn}(v) AS v FROM (${ID_TABLES.map((t) => `SELECT ${fn}(id) AS v FROM ${t}`).join(" UNION ALL ")})`;
	const [[top], [bottom]] = await Promise.all([all(from, bound("max"), []), all(to, bound("min"), [])]);
	const sourceMax = (top?.v as number | null) ?? 0;
	const targetMin = Math.min((bottom?.v as number | null) ?? 1, 1);
	return targetMin - 1 - (sourceMax + 2 ** 32);
}

async function all(database: Db, query: string, params: unknown[]): Promise<Row[]> {
	return (
		await database.$client
			.prepare(query)
			.bind(...params)
			.all<Row>()
	).results;
}
