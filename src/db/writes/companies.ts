import { sql } from "drizzle-orm";
import { COMPANY_ALIASES, CompanyRecord } from "../../schemas/records";
import type { Db } from "../client";
import { companies } from "../schema";
import { keepBefore } from "./before";
import { jsonRows, rowsFunction, rowsOf } from "./json-param";
import { changes, claimedLater, createdFields, mergedColumn } from "./merge";
import { decideExisting, defineKind, emptyOutcome, type Item, type Plan, settle, type WriteContext } from "./types";

type Existing = {
	id: number;
	companyId: string;
	name: string | null;
	metadata: string | null;
	updatedAt: string;
	srcJob: string;
	srcLine: number;
};
type Row = CompanyRecord & { id?: number; line: number };

const ROWS = jsonRows(["companyId", "name", "metadata", "id", "line"]);
const f = ROWS.field;

async function planCompanies(database: Db, ctx: WriteContext, items: Item<CompanyRecord>[]): Promise<Plan> {
	const outcome = emptyOutcome();
	const last = new Map(items.map((i) => [i.value.companyId, i]));
	for (const item of items) {
		if (last.get(item.value.companyId) !== item)
			settle(outcome, { ref: item.ref, externalId: item.value.companyId, outcome: "skipped" });
	}

	const existing = await database.all<Existing>(sql`
		SELECT id, company_id AS companyId, name, metadata, updated_at AS updatedAt, src_job AS srcJob, src_line AS srcLine FROM ${companies}
		WHERE tenant_id = ${ctx.tenantId} AND company_id IN (SELECT value FROM json_each(${JSON.stringify([...last.keys()])}))`);
	const byId = new Map(existing.map((r) => [r.companyId, r]));
	const claimed = await claimedLater(
		database,
		ctx,
		existing.map((r) => r.companyId),
	);
	const replace = ctx.options.replaceFields;

	const creates: Row[] = [];
	const updates: Row[] = [];
	for (const item of [...last.values()].sort((a, b) => a.ref - b.ref)) {
		const { companyId } = item.value;
		const row = byId.get(companyId);
		const json = { ...item.value, id: row?.id, line: item.ref };
		const ids = { ref: item.ref, externalId: companyId };
		if (!row) {
			creates.push({ ...json, metadata: createdFields(item.value.metadata, replace) });
			settle(outcome, { ...ids, outcome: "created" });
			keepBefore(ctx, outcome, { ...ids, kind: "created", key: { companyId } });
		} else if (
			decideExisting(ctx, outcome, row, claimed.has(companyId), {
				...ids,
				code: "CONFLICT",
				error: `Company ${companyId} already exists`,
			})
		) {
			const diff = changes(row, item.value, ["name"], ["metadata"], replace);
			if (Object.keys(diff).length > 0) {
				updates.push(json);
				settle(outcome, { ...ids, outcome: "updated", ...(ctx.options.dryRun ? { changes: diff } : {}) });
				keepBefore(ctx, outcome, { ...ids, kind: "updated", row });
			} else {
				settle(outcome, { ...ids, outcome: "unchanged" });
				outcome.claims.push(companyId);
				keepBefore(ctx, outcome, { ...ids, kind: "unchanged", row });
			}
		}
	}
	if (ctx.options.dryRun) return { outcome, statements: [] };
	const each = await rowsFunction(database);

	const { tenantId, now, source } = ctx;
	return {
		outcome,
		statements: [
			...ROWS.parts(creates).map(
				(
					rows,
				) => sql`INSERT INTO ${companies} (tenant_id, company_id, name, metadata, created_at, updated_at, src_job, src_line)
					SELECT ${tenantId}, ${f("companyId")}, ${f("name")}, ${f("metadata")}, ${now}, ${now}, ${source}, ${f("line")}
					FROM ${rowsOf(rows, each)}`,
			),
			...ROWS.parts(updates).map(
				(rows) => sql`UPDATE ${companies} SET name = coalesce(${f("name")}, name),
						metadata = ${mergedColumn(sql`metadata`, f("metadata"), replace)},
						updated_at = ${now}, src_job = ${source}, src_line = ${f("line")}
					FROM ${rowsOf(rows, each)}
					WHERE ${companies.id} = ${f("id")} AND NOT (${companies.srcJob} = ${source} AND ${companies.srcLine} > ${f("line")})`,
			),
		],
	};
}

export const companyKind = defineKind({
	body: "companies",
	schema: CompanyRecord,
	aliases: COMPANY_ALIASES,
	identity: { externalId: "companyId" },
	plan: planCompanies,
	conflictsOn: companies,
});
