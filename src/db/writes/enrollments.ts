import { sql } from "drizzle-orm";
import { ENROLLMENT_ALIASES, EnrollmentRecord } from "../../schemas/records";
import type { Db } from "../client";
import { type CatalogKind, catalogItems, enrollments, users } from "../schema";
import { keepBefore } from "./before";
import { jsonRows, rowsFunction, rowsOf } from "./json-param";
import { defineKind, emptyOutcome, fail, type Item, type Plan, settle, type WriteContext } from "./types";

const TARGETS = [
	["courseId", "course", "Course"],
	["learningPathId", "learningPath", "Learning path"],
	["bundleId", "bundle", "Bundle"],
] as const;

const ROWS = jsonRows(["userId", "kind", "itemId", "source"]);
const f = ROWS.field;

function targetOf(e: EnrollmentRecord): { field: string; kind: CatalogKind; id: string; label: string } {
	for (const [field, kind, label] of TARGETS) {
		const id = e[field];
		if (id !== undefined) return { field, kind, id, label };
	}
	throw new Error("enrollment record without a target passed validation");
}

/** Enrollments resolve their user (by userId = externalId, else email) and target; re-enrolling is skipped. */
async function planEnrollments(database: Db, ctx: WriteContext, items: Item<EnrollmentRecord>[]): Promise<Plan> {
	const outcome = emptyOutcome();
	const userKey = (e: EnrollmentRecord) => (e.userId !== undefined ? `x:${e.userId}` : `e:${e.email!.toLowerCase()}`);
	const last = new Map<string, Item<EnrollmentRecord>>();
	for (const item of items) {
		const target = targetOf(item.value);
		last.set(`${userKey(item.value)}|${target.kind}|${target.id}`, item);
	}
	const ids = (e: EnrollmentRecord) => ({ externalId: e.userId, email: e.email });
	for (const item of items) {
		const target = targetOf(item.value);
		if (last.get(`${userKey(item.value)}|${target.kind}|${target.id}`) !== item) {
			settle(outcome, { ref: item.ref, ...ids(item.value), outcome: "skipped" });
		}
	}
	const records = [...last.values()];

	const externalIds = records.flatMap((i) => (i.value.userId !== undefined ? [i.value.userId] : []));
	const emails = records.flatMap((i) => (i.value.userId === undefined ? [i.value.email!.toLowerCase()] : []));
	const targets = records.map((i) => targetOf(i.value));
	const [found, catalogRows, enrolled] = await Promise.all([
		database.all<{ id: number; externalId: string | null; emailLower: string | null }>(sql`
			SELECT id, external_id AS externalId, email_lower AS emailLower FROM ${users} WHERE tenant_id = ${ctx.tenantId}
			AND (external_id IN (SELECT value FROM json_each(${JSON.stringify(externalIds)}))
			  OR email_lower IN (SELECT value FROM json_each(${JSON.stringify(emails)})))`),
		database.all<{ kind: string; id: string }>(sql`
			SELECT kind, id FROM ${catalogItems} WHERE tenant_id = ${ctx.tenantId}
			AND (kind, id) IN (SELECT value->>'kind', value->>'id' FROM json_each(${JSON.stringify(targets)}))`),
		database.all<{ userId: number; kind: string; itemId: string }>(sql`
			SELECT e.user_id AS userId, e.kind, e.item_id AS itemId FROM ${enrollments} e JOIN ${users} u ON u.id = e.user_id
			WHERE e.tenant_id = ${ctx.tenantId} AND u.tenant_id = ${ctx.tenantId}
			AND (u.external_id IN (SELECT value FROM json_each(${JSON.stringify(externalIds)}))
			  OR u.email_lower IN (SELECT value FROM json_each(${JSON.stringify(emails)})))`),
	]);
	const userIds = new Map<string, number>();
	for (const u of found) {
		if (u.externalId !== null) userIds.set(`x:${u.externalId}`, u.id);
		if (u.emailLower !== null) userIds.set(`e:${u.emailLower}`, u.id);
	}
	const catalog = new Set(catalogRows.map((i) => `${i.kind}|${i.id}`));
	const existing = new Set(enrolled.map((e) => `${e.userId}|${e.kind}|${e.itemId}`));

	const creates: { userId: number; kind: string; itemId: string; source: string | null }[] = [];
	for (const item of records) {
		const e = item.value;
		const target = targetOf(e);
		const base = { ref: item.ref, externalId: e.userId, email: e.email, code: "NOT_FOUND" as const };
		const userId = userIds.get(userKey(e));
		if (userId === undefined) {
			const field = e.userId !== undefined ? "userId" : "email";
			fail(outcome, { ...base, field, error: `User ${e.userId ?? e.email} not found` });
		} else if (!catalog.has(`${target.kind}|${target.id}`))
			fail(outcome, { ...base, field: target.field, error: `${target.label} ${target.id} not found` });
		else if (existing.has(`${userId}|${target.kind}|${target.id}`)) {
			settle(outcome, { ref: item.ref, ...ids(e), outcome: "skipped" });
		} else {
			creates.push({ userId, kind: target.kind, itemId: target.id, source: e.source ?? null });
			settle(outcome, { ref: item.ref, ...ids(e), outcome: "created" });
			const key = { userId, kind: target.kind, itemId: target.id };
			keepBefore(ctx, outcome, { ref: item.ref, ...ids(e), kind: "created", key });
		}
	}
	if (ctx.options.dryRun) return { outcome, statements: [] };
	const each = await rowsFunction(database);
	return {
		outcome,
		statements: ROWS.parts(creates).map(
			(rows) => sql`INSERT INTO ${enrollments} (tenant_id, user_id, kind, item_id, source, created_at)
				SELECT ${ctx.tenantId}, ${f("userId")}, ${f("kind")}, ${f("itemId")}, ${f("source")}, ${ctx.now}
				FROM ${rowsOf(rows, each)} WHERE true ON CONFLICT DO NOTHING`,
		),
	};
}

/** Its inserts ignore conflicts: a concurrent writer of the same enrollment never fails the batch. */
export const enrollmentKind = defineKind({
	body: "enrollments",
	schema: EnrollmentRecord,
	aliases: ENROLLMENT_ALIASES,
	identity: { externalId: "userId", email: "email" },
	plan: planEnrollments,
	conflictsOn: null,
});
