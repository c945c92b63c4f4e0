import { sql } from "drizzle-orm";
import { type Db, inJson } from "../client";
import { companies } from "../schema";
import type { BeforeEntry, StoredRow } from "../writes/before";
import { jsonRows } from "../writes/json-param";
import { changedSince, ids, leftByJob, type Revert, restoredFields, type UndoLine } from "./types";

type Current = StoredRow & { companyId: string; name: string | null; metadata: string | null };

const ROWS = jsonRows(["name", "metadata", "updatedAt", "srcJob", "srcLine", "id"]);
const f = ROWS.field;

/** The rows the entries name: updated ones by id, created ones by company id. */
async function currentRows(database: Db, tenantId: string, entries: BeforeEntry[]) {
	const rowIds = entries.flatMap((e) => (e.kind !== "created" ? [e.row.id] : []));
	const companyIds = entries.flatMap((e) => (e.kind === "created" ? [String(e.key.companyId)] : []));
	const rows = await database.all<Current>(sql`SELECT id, company_id AS companyId, name, metadata,
		updated_at AS updatedAt, src_job AS srcJob, src_line AS srcLine FROM ${companies}
		WHERE ${inJson(sql`id`, rowIds)} AND tenant_id = ${tenantId}
		UNION SELECT id, company_id AS companyId, name, metadata, updated_at AS updatedAt, src_job AS srcJob,
		src_line AS srcLine FROM ${companies} WHERE tenant_id = ${tenantId} AND ${inJson(sql`company_id`, companyIds)}`);
	const byId = new Map(rows.map((r) => [r.id, r]));
	const byCompanyId = new Map(rows.map((r) => [r.companyId, r]));
	return (e: BeforeEntry) => (e.kind === "created" ? byCompanyId.get(String(e.key.companyId)) : byId.get(e.row.id));
}

export const companyRevert: Revert = {
	async undo(database, ctx, entries) {
		const current = await currentRows(database, ctx.tenantId, entries);
		const lines: UndoLine[] = [];
		const removed: number[] = [];
		const restored: StoredRow[] = [];
		for (const e of entries) {
			const row = current(e);
			if (!leftByJob(ctx, row)) lines.push(changedSince(e, `Company ${e.externalId}`));
			else if (e.kind === "created") {
				removed.push(row!.id);
				lines.push({ ...ids(e), outcome: "updated", action: "removed" });
			} else if (e.kind === "updated") {
				restored.push(e.row);
				const changes = restoredFields(row!, e.row, ["name"], ["metadata"]);
				lines.push({ ...ids(e), outcome: "updated", action: "restored", changes });
			}
		}
		const { job } = ctx;
		const statements =
			removed.length === 0
				? []
				: [sql`DELETE FROM ${companies} WHERE ${inJson(sql`id`, removed)} AND src_job = ${job}`];
		for (const rows of ROWS.parts(restored)) {
			statements.push(sql`UPDATE ${companies} SET name = ${f("name")}, metadata = ${f("metadata")},
				updated_at = ${f("updatedAt")}, src_job = ${f("srcJob")}, src_line = ${f("srcLine")}
				FROM (SELECT value AS v FROM json_each(${rows}))
				WHERE ${companies.id} = ${f("id")} AND ${companies.srcJob} = ${job}`);
		}
		return { lines, statements };
	},

	async stale(database, tenantId, entries) {
		const current = await currentRows(database, tenantId, entries);
		return entries.filter((e) => {
			const row = current(e);
			if (e.kind === "created") return row !== undefined;
			return row === undefined || row.updatedAt !== e.row.updatedAt || row.srcJob !== e.row.srcJob;
		});
	},
};
