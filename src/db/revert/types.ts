import type { SQL } from "drizzle-orm";
import type { Db } from "../client";
import type { BeforeEntry, FieldChanges, StoredRow } from "../writes/before";
import { changes } from "../writes/merge";

/** The job being undone: rows it wrote still carry its id, and none was written by it after it ended. */
export type UndoContext = {
	tenantId: string;
	job: string;
	endedAt: string /** When the undone chunk was written. */;
	at: string;
};

/**
 * What undo did with one entry: restored or removed it, or left it because something changed it since.
 * `ref` is the undone job's line; a user its full sync deactivated has none.
 */
export type UndoLine = { ref?: number; externalId?: string; email?: string } & (
	| { outcome: "updated"; action: "restored" | "removed"; changes?: FieldChanges }
	| { outcome: "skipped"; code: "CONFLICT"; error: string }
);

export type UndoPlan = { lines: UndoLine[]; statements: SQL[] };

/** How a record type's writes are reverted and how a preview of them is checked; `REVERTS` holds one per type. */
export type Revert = {
	/** The statements that put back the before-images of a chunk's entries, and what each entry came to. */
	undo(database: Db, ctx: UndoContext, entries: BeforeEntry[]): Promise<UndoPlan>;
	/** Of a preview chunk's entries, those whose stored row changed since (or appeared, for a create). */
	stale(database: Db, tenantId: string, entries: BeforeEntry[]): Promise<BeforeEntry[]>;
};

export const ids = ({ ref, externalId, email }: BeforeEntry) => ({ ref, externalId, email });

export const changedSince = (entry: BeforeEntry, what: string): UndoLine => ({
	...ids(entry),
	outcome: "skipped",
	code: "CONFLICT",
	error: `${what} changed after the job; it was left as it is`,
});

/** Whether a row is as the undone job left it: last written by it, and not touched by anything since it ended. */
export const leftByJob = (ctx: UndoContext, row: { srcJob: string; updatedAt: string } | undefined) =>
	row !== undefined && row.srcJob === ctx.job && row.updatedAt <= ctx.endedAt;

/** What restoring `before` over the row as it is `now` changes, named as a preview names changes. */
export function restoredFields(
	now: StoredRow,
	before: StoredRow,
	scalars: readonly string[],
	objects: readonly string[],
): FieldChanges {
	const record: Record<string, unknown> = {};
	for (const field of scalars) record[field] = before[field] ?? null;
	for (const field of objects) record[field] = JSON.parse((before[field] as string | null) ?? "{}");
	return changes(now, record, scalars, objects, true);
}
