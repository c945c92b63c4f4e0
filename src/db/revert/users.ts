import { sql } from "drizzle-orm";
import { type Db, inJson } from "../client";
import { enrollments, notifications, users } from "../schema";
import type { BeforeEntry, StoredRow } from "../writes/before";
import { jsonRows } from "../writes/json-param";
import { changedSince, ids, leftByJob, type Revert, restoredFields, type UndoLine } from "./types";

type Current = StoredRow & { externalId: string | null; emailLower: string | null };

const COLUMNS = sql`id, external_id AS externalId, email_lower AS emailLower, email, first_name AS firstName,
	last_name AS lastName, company_id AS companyId, role, client_id AS clientId, custom_fields AS customFields,
	metadata, status, updated_at AS updatedAt, src_job AS srcJob, src_line AS srcLine`;
const RESTORED = [
	"externalId",
	"email",
	"emailLower",
	"firstName",
	"lastName",
	"companyId",
	"role",
	"clientId",
	"customFields",
	"metadata",
	"status",
	"updatedAt",
	"srcJob",
	"srcLine",
	"id",
] as const;
const ROWS = jsonRows(RESTORED);
const SCALARS = ["externalId", "email", "firstName", "lastName", "companyId", "role", "clientId", "status"];
const OBJECTS = ["customFields", "metadata"];
const f = ROWS.field;

/**
 * The rows the entries name: updated ones by id, created ones by the external id and the email
 * they were created with. `created` finds a created entry's row, `taken` any row holding its identity.
 */
async function currentRows(database: Db, tenantId: string, entries: BeforeEntry[]) {
	const rowIds: number[] = [];
	const externalIds: string[] = [];
	const emails: string[] = [];
	for (const e of entries) {
		if (e.kind !== "created") rowIds.push(e.row.id);
		else {
			if (e.key.externalId !== undefined) externalIds.push(String(e.key.externalId));
			if (e.key.emailLower !== undefined) emails.push(String(e.key.emailLower));
		}
	}
	// A UNION of three indexed lookups: with OR, SQLite would scan the tenant's users.
	const rows = await database.all<Current>(sql`
		SELECT ${COLUMNS} FROM ${users} WHERE ${inJson(sql`id`, rowIds)} AND tenant_id = ${tenantId}
		UNION SELECT ${COLUMNS} FROM ${users} WHERE tenant_id = ${tenantId} AND ${inJson(sql`external_id`, externalIds)}
		UNION SELECT ${COLUMNS} FROM ${users} WHERE tenant_id = ${tenantId} AND ${inJson(sql`email_lower`, emails)}`);
	const byId = new Map(rows.map((r) => [r.id, r]));
	const byExternalId = new Map(rows.filter((r) => r.externalId !== null).map((r) => [r.externalId!, r]));
	const byEmail = new Map(rows.filter((r) => r.emailLower !== null).map((r) => [r.emailLower!, r]));
	const byKey = (key: Record<string, string | number>) => ({
		x: key.externalId === undefined ? undefined : byExternalId.get(String(key.externalId)),
		e: key.emailLower === undefined ? undefined : byEmail.get(String(key.emailLower)),
	});
	return {
		updated: (row: StoredRow) => byId.get(row.id),
		created: (key: Record<string, string | number>) => {
			const { x, e } = byKey(key);
			return key.externalId !== undefined ? x : e;
		},
		taken: (key: Record<string, string | number>) => {
			const { x, e } = byKey(key);
			return x !== undefined || e !== undefined;
		},
	};
}

export const userRevert: Revert = {
	async undo(database, ctx, entries) {
		const current = await currentRows(database, ctx.tenantId, entries);
		const lines: UndoLine[] = [];
		const removed: number[] = [];
		const restored: StoredRow[] = [];
		for (const e of entries) {
			const row = e.kind === "created" ? current.created(e.key) : current.updated(e.row);
			if (!leftByJob(ctx, row)) lines.push(changedSince(e, `User ${e.externalId ?? e.email}`));
			else if (e.kind === "created") {
				removed.push(row!.id);
				lines.push({ ...ids(e), outcome: "updated", action: "removed" });
			} else if (e.kind === "updated") {
				restored.push(e.row);
				lines.push({
					...ids(e),
					outcome: "updated",
					action: "restored",
					changes: restoredFields(row!, e.row, SCALARS, OBJECTS),
				});
			}
		}
		const { tenantId, job } = ctx;
		// A removed user's enrollments and licenses go with it, and so does a welcome not sent yet.
		const statements =
			removed.length === 0
				? []
				: [
						sql`DELETE FROM ${enrollments} WHERE tenant_id = ${tenantId} AND ${inJson(sql`user_id`, removed)}`,
						sql`DELETE FROM ${notifications} WHERE tenant_id = ${tenantId} AND ${inJson(sql`user_id`, removed)}
				AND delivered_at IS NULL AND failed_at IS NULL`,
						sql`DELETE FROM ${users} WHERE ${inJson(sql`id`, removed)} AND src_job = ${job}`,
					];
		// By id alone (ids come from the tenant's rows): a tenant condition would make SQLite loop over its users.
		for (const rows of ROWS.parts(restored)) {
			statements.push(sql`UPDATE ${users} SET external_id = ${f("externalId")}, email = ${f("email")},
				email_lower = ${f("emailLower")}, first_name = ${f("firstName")}, last_name = ${f("lastName")},
				company_id = ${f("companyId")}, role = ${f("role")}, client_id = ${f("clientId")},
				custom_fields = ${f("customFields")}, metadata = ${f("metadata")}, status = coalesce(${f("status")}, 'active'),
				updated_at = ${f("updatedAt")},
				src_job = ${f("srcJob")}, src_line = ${f("srcLine")}
				FROM (SELECT value AS v FROM json_each(${rows}))
				WHERE ${users.id} = ${f("id")} AND ${users.srcJob} = ${job}`);
		}
		return { lines, statements };
	},

	async stale(database, tenantId, entries) {
		const current = await currentRows(database, tenantId, entries);
		return entries.filter((e) => {
			if (e.kind === "created") return current.taken(e.key);
			const row = current.updated(e.row);
			return row === undefined || row.updatedAt !== e.row.updatedAt || row.srcJob !== e.row.srcJob;
		});
	},
};
