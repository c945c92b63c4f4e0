import type { Outcome, WriteContext } from "./types";

/** What an update changes: `{field: [before, after]}`, a key of customFields or metadata as `customFields.key`. */
export type FieldChanges = Record<string, [unknown, unknown]>;

/** A stored row as a write read it: its columns by their record names, JSON columns as their stored text. */
export type StoredRow = { id: number; updatedAt: string; srcJob: string; srcLine: number } & Record<string, unknown>;

/**
 * A row a chunk's write touches, as it found it. `created`: the identity it creates (`key`, column
 * values by record name), found nowhere. `updated`: the row whole, its before-image. `unchanged`
 * (dry runs only): the row whole too, so that a commit can tell whether it changed since.
 */
export type BeforeEntry = { ref: number; externalId?: string; email?: string } & (
	| { kind: "created"; key: Record<string, string | number> }
	| { kind: "updated" | "unchanged"; row: StoredRow }
);

/** A chunk's before-images, the object its ledger row names: when it was written, and its entries. */
export type BeforeImage = { at: string; entries: BeforeEntry[] };

/**
 * Keeps a touched row's entry. A dry run keeps every one (a preview's fingerprints); a real run
 * keeps what undo needs: created rows, and rows as they were before this job first wrote them (a
 * row an earlier chunk of the same job wrote already has its before-image in that chunk's entry).
 */
export function keepBefore(ctx: WriteContext, outcome: Outcome, entry: BeforeEntry): void {
	if (ctx.options.dryRun) outcome.before.push(entry);
	else if (entry.kind === "created" || (entry.kind === "updated" && entry.row.srcJob !== ctx.source))
		outcome.before.push(entry);
}
