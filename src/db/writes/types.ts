import type { SQL } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { z } from "zod";
import type { Counts } from "../../schemas/jobs";
import { type ImportOptions, type RecordErrorCode, withAliases } from "../../schemas/records";
import type { Db } from "../client";
import type { BeforeEntry, FieldChanges } from "./before";

/** Where a record came from: `ref` is its 0-based index (JSON) or 1-based line (files). */
export type Item<T = unknown> = { ref: number; value: T };

export type RecordError = {
	ref: number;
	externalId?: string;
	email?: string;
	code: RecordErrorCode;
	/** The field at fault, as the client spelled it (`user_id`); dotted inside customFields and metadata. */
	field?: string;
	/** The CSV header cell of that field's column, for records from CSV files. */
	column?: string;
	error: string;
};

/** What became of a record that did not fail. */
type RecordOutcome = "created" | "updated" | "unchanged" | "skipped";
export type RecordResult = {
	ref: number;
	externalId?: string;
	email?: string;
	outcome: RecordOutcome;
	/** A dry run's update: what it would change, `{field: [before, after]}` (see before.ts). */
	changes?: FieldChanges;
};

/**
 * Counts, failed records, every other record's outcome, `before`: the stored rows the write touches
 * as it found them (before.ts), and `claims`: the identities this write
 * found unchanged, kept in a job's chunk ledger so that an earlier line of the same job in a chunk
 * written later does not overwrite them (an unchanged record writes nothing that could say so).
 */
export type Outcome = Counts & {
	errors: RecordError[];
	results: RecordResult[];
	before: BeforeEntry[];
	claims: string[];
};

export type WriteContext = {
	tenantId: string;
	/** The job (or request) the records belong to; with `ref` it orders occurrences of one identity. */
	source: string;
	options: ImportOptions;
	now: string;
	/** The chunk of a job being written: identities claimed by its later chunks are not overwritten. */
	chunk?: number;
};

/**
 * A plan is everything one write needs: its outcome, and the statements that make it true.
 * `guessed`: planned without reading, as though no record were stored; its inserts fail on a unique
 * index if one is, and the records are then planned again from what is stored.
 */
export type Plan = { outcome: Outcome; statements: SQL[]; guessed?: boolean };

export function emptyOutcome(): Outcome {
	return {
		created: 0,
		updated: 0,
		unchanged: 0,
		skipped: 0,
		failed: 0,
		errors: [],
		results: [],
		before: [],
		claims: [],
	};
}

/** Counts a record that did not fail and keeps its outcome. */
export function settle(outcome: Outcome, result: RecordResult): void {
	outcome[result.outcome]++;
	outcome.results.push(result);
}

export function fail(outcome: Outcome, error: RecordError): void {
	outcome.failed++;
	outcome.errors.push(error);
}

/**
 * What happens to a record whose identity already has a row: true means update it. A row last
 * written (or found unchanged, `claimed`) by a later line of the same job wins: the record is
 * superseded and skipped.
 */
export function decideExisting(
	ctx: WriteContext,
	outcome: Outcome,
	row: { srcJob: string; srcLine: number },
	claimed: boolean,
	conflict: RecordError,
): boolean {
	const { ref, externalId, email } = conflict;
	if ((row.srcJob === ctx.source && row.srcLine > ref) || claimed || ctx.options.skipExisting) {
		settle(outcome, { ref, externalId, email, outcome: "skipped" });
	} else if (!ctx.options.upsert) fail(outcome, conflict);
	else return true;
	return false;
}

/** A record type's strict schema: canonical field names only (aliases are renamed before it runs). */
export type RecordSchema = z.ZodObject<z.ZodRawShape, z.core.$strict>;
type Field<S extends RecordSchema> = keyof S["shape"] & string;

/** What it takes to import one record type; `KINDS` (./kinds.ts) holds one per type. */
type KindSpec<S extends RecordSchema> = {
	/** The key that holds the records in a JSON bulk body: `{"users": […]}`. */
	body: string;
	schema: S;
	/** A faster check of the common record shape: its output, or undefined to let `schema` decide. */
	accept?: (raw: unknown) => z.output<S> | undefined;
	/** Other spellings of fields, accepted in JSON records and as CSV column names. */
	aliases: { readonly [F in Field<S>]?: readonly string[] };
	/** The fields (or their aliases) that name a record in its error, read even from an invalid record. */
	identity: { externalId: Field<S>; email?: Field<S> };
	/**
	 * Resolves valid records against what is stored and decides create / update / skip / fail.
	 * With `mayGuess` it may skip the read when the records look new (see `Plan.guessed`).
	 */
	plan(database: Db, ctx: WriteContext, items: Item<z.output<S>>[], mayGuess: boolean): Promise<Plan>;
	/**
	 * The table whose unique indexes hold this type's identities: a write that fails on one lost a
	 * race to a concurrent writer of the same identity and is planned again. Null when the type's
	 * inserts ignore conflicts.
	 */
	conflictsOn: SQLiteTable | null;
};

export type Kind<S extends RecordSchema> = KindSpec<S> & {
	/** The schema with the aliases renamed first: what each incoming record is validated with. */
	validator: z.ZodType<z.output<S>>;
	/** Every canonical field, for mapping CSV headers. */
	fields: readonly string[];
};

export function defineKind<S extends RecordSchema>(spec: KindSpec<S>): Kind<S> {
	return {
		...spec,
		validator: withAliases(spec.schema, spec.aliases),
		fields: Object.keys(spec.schema.shape),
	};
}
