import type { SQL } from "drizzle-orm";
import type { z } from "zod";
import { RECORD_SCHEMAS, type RecordType } from "../../schemas/records";
import { type Db, runBatch } from "../client";
import { planCompanies } from "./companies";
import { planEnrollments } from "./enrollments";
import type { Item, Outcome, Plan, RecordError, WriteContext } from "./types";
import { planUsers } from "./users";

export type { Counts, Item, Outcome, RecordError, WriteContext } from "./types";

function identityHints(raw: unknown): Pick<RecordError, "externalId" | "email"> {
	if (typeof raw !== "object" || raw === null) return {};
	const r = raw as Record<string, unknown>;
	const externalId = [r.externalId, r.userId, r.user_id, r.companyId, r.company_id].find((v) => typeof v === "string");
	return { externalId: externalId as string | undefined, email: typeof r.email === "string" ? r.email : undefined };
}

function describe(error: z.ZodError): string {
	return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}

/** Validates every record with the schema of its type; invalid ones become per-record errors. */
export function validateRecords<T extends RecordType>(type: T, items: Item[]) {
	const schema = RECORD_SCHEMAS[type];
	const valid: Item<z.output<(typeof RECORD_SCHEMAS)[T]>>[] = [];
	const errors: RecordError[] = [];
	for (const item of items) {
		const parsed = schema.safeParse(item.value);
		if (parsed.success) valid.push({ ref: item.ref, value: parsed.data as z.output<(typeof RECORD_SCHEMAS)[T]> });
		else
			errors.push({
				ref: item.ref,
				...identityHints(item.value),
				code: "VALIDATION_ERROR",
				error: describe(parsed.error),
			});
	}
	return { valid, errors };
}

async function plan(database: Db, ctx: WriteContext, type: RecordType, items: Item[]): Promise<Plan> {
	const { valid, errors } = validateRecords(type, items);
	const planned =
		type === "users"
			? await planUsers(database, ctx, valid as Item<z.output<typeof RECORD_SCHEMAS.users>>[])
			: type === "companies"
				? await planCompanies(database, ctx, valid as Item<z.output<typeof RECORD_SCHEMAS.companies>>[])
				: await planEnrollments(database, ctx, valid as Item<z.output<typeof RECORD_SCHEMAS.enrollments>>[]);
	const outcome = planned.outcome;
	outcome.failed += errors.length;
	outcome.errors = [...errors, ...outcome.errors].sort((a, b) => a.ref - b.ref);
	return { outcome, statements: planned.statements };
}

const UNIQUE_RACE = /UNIQUE constraint failed: (users|companies)\./;
const ATTEMPTS = 3;

/**
 * Validates, plans and writes records of one type as a single D1 batch (one transaction), with
 * `extra(outcome)` statements (bookkeeping, written even in a dry run) committed atomically with them. A concurrent writer that inserts
 * one of the same identities between plan and write fails the batch on a unique index; the
 * records are then planned again against the new state.
 */
export async function writeRecords(
	database: Db,
	ctx: WriteContext,
	type: RecordType,
	items: Item[],
	extra: (outcome: Outcome) => SQL[] = () => [],
): Promise<Outcome> {
	for (let attempt = 1; ; attempt++) {
		const { outcome, statements } = await plan(database, ctx, type, items);
		const all = [...statements, ...extra(outcome)];
		if (all.length === 0) return outcome;
		try {
			await runBatch(database, all);
			return outcome;
		} catch (error) {
			if (attempt >= ATTEMPTS || !UNIQUE_RACE.test(String((error as Error).cause ?? error))) throw error;
		}
	}
}
