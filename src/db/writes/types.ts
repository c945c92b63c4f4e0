import type { SQL } from "drizzle-orm";
import type { ImportOptions } from "../../schemas/records";

/** Where a record came from: `ref` is its 0-based index (JSON) or 1-based line (files). */
export type Item<T = unknown> = { ref: number; value: T };

export type RecordErrorCode = "VALIDATION_ERROR" | "CONFLICT" | "NOT_FOUND";

export type RecordError = {
	ref: number;
	externalId?: string;
	email?: string;
	code: RecordErrorCode;
	error: string;
	/** The record as received, for error reports. */
	raw?: unknown;
};

export type Counts = { created: number; updated: number; skipped: number; failed: number };
export type Outcome = Counts & { errors: RecordError[] };

export type WriteContext = {
	tenantId: string;
	/** The job (or request) the records belong to; with `ref` it orders occurrences of one identity. */
	source: string;
	options: ImportOptions;
	now: string;
};

/** A plan is everything one write needs: its outcome, and the statements that make it true. */
export type Plan = { outcome: Outcome; statements: SQL[] };

export function emptyOutcome(): Outcome {
	return { created: 0, updated: 0, skipped: 0, failed: 0, errors: [] };
}

export function fail(outcome: Outcome, error: RecordError): void {
	outcome.failed++;
	outcome.errors.push(error);
}

/**
 * What happens to a record whose identity already has a row: true means update it. A row last
 * written by a later line of the same job wins (the record is superseded and skipped).
 */
export function decideExisting(
	ctx: WriteContext,
	outcome: Outcome,
	row: { srcJob: string; srcLine: number },
	ref: number,
	conflict: RecordError,
): boolean {
	if ((row.srcJob === ctx.source && row.srcLine > ref) || ctx.options.skipExisting) outcome.skipped++;
	else if (!ctx.options.upsert) fail(outcome, conflict);
	else return true;
	return false;
}
