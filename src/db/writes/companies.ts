import { sql } from "drizzle-orm";
import { COMPANY_ALIASES, CompanyRecord } from "../../schemas/records";
import type { Db } from "../client";
import { companies } from "../schema";
import { jsonRows } from "./json-param";
import { decideExisting, defineKind, emptyOutcome, type Item, type Plan, type WriteContext } from "./types";

type Existing = { id: number; companyId: string; srcJob: string; srcLine: number };
type Row = CompanyRecord & { id?: number; line: number };

const ROWS = jsonRows(["companyId", "name", "metadata", "id", "line"]);
const f = ROWS.field;

async function planCompanies(database: Db, ctx: WriteContext, items: Item<CompanyRecord>[]): Promise<Plan> {
	const outcome = emptyOutcome();
	const last = new Map(items.map((i) => [i.value.companyId, i]));
	outcome.skipped += items.length - last.size;

	const existing = await database.all<Existing>(sql`
		SELECT id, company_id AS companyId, src_job AS srcJob, src_line AS srcLine FROM ${companies}
		WHERE tenant_id = ${ctx.tenantId} AND company_id IN (SELECT value FROM json_each(${JSON.stringify([...last.keys()])}))`);
	const byId = new Map(existing.map((r) => [r.companyId, r]));

	const creates: Row[] = [];
	const updates: Row[] = [];
	for (const item of last.values()) {
		const row = byId.get(item.value.companyId);
		const json = { ...item.value, id: row?.id, line: item.ref };
		const conflict = {
			ref: item.ref,
			code: "CONFLICT" as const,
			error: `Company ${item.value.companyId} already exists`,
		};
		if (!row) creates.push(json);
		else if (decideExisting(ctx, outcome, row, item.ref, conflict)) updates.push(json);
	}
	outcome.created = creates.length;
	outcome.updated = updates.length;
	if (ctx.options.dryRun) return { outcome, statements: [] };

	const { tenantId, now, source } = ctx;
	return {
		outcome,
		statements: [
			...ROWS.parts(creates).map(
				(
					rows,
				) => sql`INSERT INTO ${companies} (tenant_id, company_id, name, metadata, created_at, updated_at, src_job, src_line)
					SELECT ${tenantId}, ${f("companyId")}, ${f("name")}, ${f("metadata")}, ${now}, ${now}, ${source}, ${f("line")}
					FROM (SELECT value AS v FROM json_each(${rows}))`,
			),
			...ROWS.parts(updates).map(
				(
					rows,
				) => sql`UPDATE ${companies} SET name = coalesce(${f("name")}, name), metadata = coalesce(${f("metadata")}, metadata),
						updated_at = ${now}, src_job = ${source}, src_line = ${f("line")}
					FROM (SELECT value AS v FROM json_each(${rows}))
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
