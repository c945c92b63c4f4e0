import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { enrollments } from "../schema";
import type { BeforeEntry } from "../writes/before";
import { changedSince, ids, type Revert, type UndoLine } from "./types";

type Key = { userId: number; kind: string; itemId: string };
const keyOf = (e: BeforeEntry) => (e.kind === "created" ? (e.key as Key) : undefined);
const text = (k: Key) => `${k.userId}|${k.kind}|${k.itemId}`;

/** The enrollments the entries created, still stored, with when they were created. */
async function stored(database: Db, tenantId: string, keys: Key[]): Promise<Map<string, string>> {
	const rows = await database.all<Key & { createdAt: string }>(sql`
		SELECT user_id AS userId, kind, item_id AS itemId, created_at AS createdAt FROM ${enrollments}
		WHERE tenant_id = ${tenantId} AND (user_id, kind, item_id) IN
			(SELECT value->>'userId', value->>'kind', value->>'itemId' FROM json_each(${JSON.stringify(keys)}))`);
	return new Map(rows.map((r) => [text(r), r.createdAt]));
}

/** An enrollment is only ever created: undo removes the ones still stored as the job created them. */
export const enrollmentRevert: Revert = {
	async undo(database, ctx, entries) {
		const keys = entries.flatMap((e) => keyOf(e) ?? []);
		const found = await stored(database, ctx.tenantId, keys);
		const lines: UndoLine[] = [];
		const removed: Key[] = [];
		for (const e of entries) {
			const key = keyOf(e);
			if (key && found.get(text(key)) === ctx.at) {
				removed.push(key);
				lines.push({ ...ids(e), outcome: "updated", action: "removed" });
			} else lines.push(changedSince(e, "The enrollment"));
		}
		const statements =
			removed.length === 0
				? []
				: [
						sql`DELETE FROM ${enrollments} WHERE tenant_id = ${ctx.tenantId} AND (user_id, kind, item_id) IN
							(SELECT value->>'userId', value->>'kind', value->>'itemId' FROM json_each(${JSON.stringify(removed)}))`,
					];
		return { lines, statements };
	},

	async stale(database, tenantId, entries) {
		const found = await stored(
			database,
			tenantId,
			entries.flatMap((e) => keyOf(e) ?? []),
		);
		return entries.filter((e) => {
			const key = keyOf(e);
			return key !== undefined && found.has(text(key));
		});
	},
};

/** The enrollments and licenses a bulkImport job assigned (to users it created and to users it found). */
export const removeAssignments = (tenantId: string, job: string) =>
	sql`DELETE FROM ${enrollments} WHERE tenant_id = ${tenantId} AND src_job = ${job}`;
