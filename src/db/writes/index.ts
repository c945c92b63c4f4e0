import type { SQL } from "drizzle-orm";
import { getTableName } from "drizzle-orm";
import type { z } from "zod";
import type { RecordType } from "../../schemas/common";
import { type Db, runBatch } from "../client";
import { asSent, recordIssue } from "./issues";
import { KINDS } from "./kinds";
import { isDataError, refusedRecords } from "./refused";
import type { Item, Kind, Outcome, Plan, RecordError, RecordSchema, WriteContext } from "./types";

export type { Item, Outcome, RecordError, WriteContext } from "./types";

/** The record's identity as its kind names it (canonical field or an alias), for the error of an invalid record. */
export function identityHints(kind: Kind<RecordSchema>, raw: unknown): Pick<RecordError, "externalId" | "email"> {
	if (typeof raw !== "object" || raw === null) return {};
	const record = raw as Record<string, unknown>;
	const read = (field: string | undefined) =>
		field === undefined
			? undefined
			: [field, ...(kind.aliases[field] ?? [])].map((name) => record[name]).find((v) => typeof v === "string");
	return {
		externalId: read(kind.identity.externalId) as string | undefined,
		email: read(kind.identity.email) as string | undefined,
	};
}

/** Validates every record with its kind's schema; invalid ones become per-record errors. */
function validateRecords(kind: Kind<RecordSchema>, items: Item[]) {
	const valid: Item<z.output<RecordSchema>>[] = [];
	const errors: RecordError[] = [];
	for (const item of items) {
		const accepted = kind.accept?.(item.value);
		if (accepted !== undefined) {
			valid.push({ ref: item.ref, value: accepted });
			continue;
		}
		const parsed = kind.validator.safeParse(item.value);
		if (parsed.success) valid.push({ ref: item.ref, value: parsed.data });
		else
			errors.push({
				ref: item.ref,
				...identityHints(kind, item.value),
				code: "VALIDATION_ERROR",
				...recordIssue(parsed.error),
			});
	}
	return { valid, errors };
}

/** Plans the items; `refused` are records taken out earlier because the database would not store them. */
async function plan(
	database: Db,
	ctx: WriteContext,
	kind: Kind<RecordSchema>,
	items: Item[],
	refused: RecordError[] = [],
	mayGuess = false,
): Promise<Plan> {
	const { valid, errors } = validateRecords(kind, items);
	const planned = await kind.plan(database, ctx, valid, mayGuess);
	const outcome = planned.outcome;
	outcome.failed += errors.length + refused.length;
	outcome.errors = asSent([...errors, ...refused, ...outcome.errors], items, kind.aliases).sort(
		(a, b) => a.ref - b.ref,
	);
	outcome.results.sort((a, b) => a.ref - b.ref);
	return { outcome, statements: planned.statements, guessed: planned.guessed };
}

function lostRace(kind: Kind<RecordSchema>, error: unknown): boolean {
	if (kind.conflictsOn === null) return false;
	const message = String((error as Error).cause ?? error);
	return message.includes(`UNIQUE constraint failed: ${getTableName(kind.conflictsOn)}.`);
}

const ATTEMPTS = 3;

/**
 * Validates, plans and writes records of one type as a single D1 batch (one transaction), with
 * `extra(outcome)` statements (bookkeeping, written even in a dry run; made before each attempt's
 * batch, so what they prepare outside the database is ready when it commits) committed atomically with
 * them. A concurrent writer that inserts one of the same identities between plan and write fails
 * the batch on a unique index; the records are then planned again against the new state. A batch
 * the database refuses for its data has the records to blame found and failed alone, and the
 * others are written in one batch as before, so exactly-once bookkeeping is unchanged.
 */
export async function writeRecords(
	database: Db,
	ctx: WriteContext,
	type: RecordType,
	items: Item[],
	extra: (outcome: Outcome) => SQL[] | Promise<SQL[]> = () => [],
): Promise<Outcome> {
	// Each kind plans the records its own validator accepted, so one view of all kinds is sound here.
	const kind: Kind<RecordSchema> = KINDS[type];
	let pending = items;
	let refused: RecordError[] = [];
	let mayGuess = true;
	for (let attempt = 1; ; attempt++) {
		const { outcome, statements, guessed } = await plan(database, ctx, kind, pending, refused, mayGuess);
		const all = [...statements, ...(await extra(outcome))];
		if (all.length === 0) return outcome;
		try {
			await runBatch(database, all);
			return outcome;
		} catch (error) {
			if (guessed && lostRace(kind, error)) {
				// A wrong guess is not a lost race: plan once more from what is stored, with the attempts intact.
				mayGuess = false;
				attempt--;
				continue;
			}
			if (attempt < ATTEMPTS && lostRace(kind, error)) continue;
			const blamed =
				refused.length === 0 && isDataError(error)
					? await refusedRecords(
							database,
							pending,
							async (subset) => (await plan(database, ctx, kind, subset)).statements,
							(e) => lostRace(kind, e),
						)
					: undefined;
			if (!blamed) throw error;
			console.warn(
				JSON.stringify({ refusedRecords: blamed.map((b) => b.ref), source: ctx.source, error: String(error) }),
			);
			refused = blamed.map((item) => ({
				ref: item.ref,
				...identityHints(kind, item.value),
				code: "VALIDATION_ERROR",
				error: REFUSED,
			}));
			pending = pending.filter((item) => !blamed.includes(item));
		}
	}
}

const REFUSED = "The database could not store this record";
