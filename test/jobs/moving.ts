import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { db, shardDatabases } from "../../src/db/client";
import { MOVED_TABLES } from "../../src/db/move/tables";
import { findMove } from "../../src/db/queries/moves";
import { call, OPERATOR_KEY } from "../helpers";

export type MoveView = {
	id: string;
	status: string;
	phase: string;
	fromShard: number;
	toShard: number;
	rowsCopied: number;
	rowsDeleted: number;
	errorMessage: string | null;
	switchedAt: string | null;
};

export function postMove(tenantId: string, shard: number) {
	return call(`/v1/tenants/${tenantId}/move`, { method: "POST", key: OPERATOR_KEY, json: { shard } });
}

/** Polls the tenant's move until it ends. */
export async function waitForMove(tenantId: string, timeoutMs = 110_000): Promise<MoveView> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const move = await (await call(`/v1/tenants/${tenantId}/move`, { key: OPERATOR_KEY })).json<MoveView>();
		if (move.status !== "processing") return move;
		if (Date.now() > deadline) throw new Error(`move still ${move.phase}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/**
 * Every row of the tenant in every moved table on `shard`, with its ids as they were before move
 * `moveId` (none: as stored), keyed by table: what a move must carry over exactly.
 */
export async function tenantRows(tenantId: string, shard: number, jobIds: string[], moveId?: string) {
	const shift = moveId ? (await findMove(db(env), moveId))!.shift : 0;
	const database = shardDatabases(env)[shard]!;
	const out: Record<string, unknown[]> = {};
	for (const table of MOVED_TABLES) {
		const where = table.scope === "tenant" ? "tenant_id = ?" : "job_id IN (SELECT value FROM json_each(?))";
		const param = table.scope === "tenant" ? tenantId : JSON.stringify(jobIds);
		const { results } = await database
			.prepare(`SELECT * FROM ${table.name} WHERE ${where} ORDER BY ${table.key.map((k) => `"${k}"`).join(", ")}`)
			.bind(param)
			.all<Record<string, unknown>>();
		out[table.name] = results.map((row) => {
			const back = { ...row };
			for (const column of table.shifted)
				if (typeof back[column] === "number") back[column] = (back[column] as number) - shift;
			return back;
		});
	}
	return out;
}

/** How many rows of the tenant each moved table holds on `shard`. */
export async function rowCounts(tenantId: string, shard: number, jobIds: string[]) {
	const rows = await tenantRows(tenantId, shard, jobIds);
	return Object.fromEntries(Object.entries(rows).map(([table, list]) => [table, list.length]));
}

export function expectNone(counts: Record<string, number>) {
	expect(
		Object.values(counts).every((n) => n === 0),
		JSON.stringify(counts),
	).toBe(true);
}
