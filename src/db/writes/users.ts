import { type SQL, sql } from "drizzle-orm";
import { plainUser } from "../../schemas/plain-user";
import { USER_ALIASES, UserRecord } from "../../schemas/records";
import { type Db, runBatch } from "../client";
import { notifications, users } from "../schema";
import { keepBefore } from "./before";
import { jsonRows, type RowsFunction, rowsFunction, rowsOf } from "./json-param";
import { changes, claimedLater, createdFields, mergedColumn, withoutUnchangedObjects } from "./merge";
import {
	decideExisting,
	defineKind,
	emptyOutcome,
	fail,
	type Item,
	type Plan,
	settle,
	type WriteContext,
} from "./types";

type Existing = {
	id: number;
	externalId: string | null;
	emailLower: string | null;
	email: string | null;
	firstName: string | null;
	lastName: string | null;
	companyId: string | null;
	role: string | null;
	clientId: string | null;
	customFields: string | null;
	metadata: string | null;
	updatedAt: string;
	status: string;
	srcJob: string;
	srcLine: number;
};
/** `rekeys`: the update changes an indexed identity column (adopts an externalId, or a new email). */
type Planned = Item<UserRecord> & { id?: number; rekeys?: boolean };

const SCALARS = ["externalId", "email", "firstName", "lastName", "companyId", "role", "clientId"] as const;
const OBJECTS = ["customFields", "metadata"] as const;

const identityOf = (u: UserRecord) =>
	u.externalId !== undefined ? `x:${u.externalId}` : `e:${u.email!.toLowerCase()}`;

const COLUMNS = sql`u.id, u.external_id AS externalId, u.email_lower AS emailLower, u.email, u.first_name AS firstName,
	u.last_name AS lastName, u.company_id AS companyId, u.role, u.client_id AS clientId, u.custom_fields AS customFields,
	u.metadata, u.status, u.updated_at AS updatedAt, u.src_job AS srcJob, u.src_line AS srcLine`;

/**
 * D1 takes at most 100 KB of SQL per statement. A list's characters are at most 3 UTF-8 bytes each
 * (surrogate pairs never go into one), so 30,000 of them stay under 90 KB.
 */
const MAX_LIST_CHARS = 30_000;
/** Keys written into SQL as literals: printable, no control characters, no surrogates (they go as JSON). */
const LITERAL = /^[\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]*$/;

/** `keys` as SQL string literal lists, each short enough for one statement. */
function literalLists(keys: string[]): string[] {
	const lists: string[] = [];
	let current: string[] = [];
	let size = 0;
	for (const key of keys) {
		const literal = `'${key.replaceAll("'", "''")}'`;
		if (current.length > 0 && size + literal.length > MAX_LIST_CHARS) {
			lists.push(current.join(","));
			current = [];
			size = 0;
		}
		current.push(literal);
		size += literal.length + 1;
	}
	if (current.length > 0) lists.push(current.join(","));
	return lists;
}

/**
 * The tenant's users whose `column` is one of `keys`: one index probe per key. The keys are a
 * literal `IN` list, because D1 bills each element of a `json_each` as a row read: a stored user
 * costs 2 rows read (index entry and row) instead of 3. A key that could not be a plain literal
 * (control characters, surrogates) is looked up through `json_each` instead, and D1 allows only 100
 * bound parameters, so a list is never bound.
 */
async function usersBy(database: Db, tenantId: string, column: SQL, keys: string[]): Promise<Existing[]> {
	const literal: string[] = [];
	const others: string[] = [];
	for (const key of keys) (LITERAL.test(key) ? literal : others).push(key);
	const statements = literalLists(literal).map(
		(list) =>
			sql`SELECT ${COLUMNS} FROM ${users} u WHERE u.tenant_id = ${tenantId} AND u.${column} IN (${sql.raw(list)})`,
	);
	// CROSS JOIN keeps the keys as the outer loop: SQLite would otherwise scan the table.
	if (others.length > 0)
		statements.push(sql`SELECT ${COLUMNS} FROM json_each(${JSON.stringify(others)}) k
			CROSS JOIN ${users} u ON u.tenant_id = ${tenantId} AND u.${column} = k.value`);
	if (statements.length === 0) return [];
	if (statements.length === 1) return database.all<Existing>(statements[0]!);
	return (await runBatch(database, statements)).flatMap((result) => result.results as Existing[]);
}

/**
 * Reads the rows the records could resolve to: by external id, then by email only for the emails
 * those rows do not already hold (the unique index makes such a row the email's only owner). D1
 * bills every row a query reads, so a user sent again as stored costs one probe, not two.
 */
async function existingUsers(database: Db, tenantId: string, items: Item<UserRecord>[]): Promise<Existing[]> {
	const externalIds = items.flatMap((i) => (i.value.externalId !== undefined ? [i.value.externalId] : []));
	const found = await usersBy(database, tenantId, sql.raw("external_id"), externalIds);
	const held = new Set(found.map((r) => r.emailLower));
	const emails = [
		...new Set(items.flatMap((i) => (i.value.email !== undefined ? [i.value.email.toLowerCase()] : []))),
	].filter((e) => !held.has(e));
	const byId = new Map(found.map((r) => [r.id, r]));
	for (const r of await usersBy(database, tenantId, sql.raw("email_lower"), emails)) byId.set(r.id, r);
	return [...byId.values()];
}

/**
 * Whether the chunk's first and last records have no stored user: then the chunk is most likely all
 * new, and planning it without reading saves the read that costs as much as the insert. A wrong
 * guess costs one failed batch (its inserts stop at the first stored identity) and is planned again.
 * One statement, so a small batch answered in the request pays one round trip for it, not two.
 */
async function looksNew(database: Db, tenantId: string, items: Item<UserRecord>[]): Promise<boolean> {
	const sample = items.length > 2 ? [items[0]!, items[items.length - 1]!] : items;
	const probe = (column: SQL, keys: (string | undefined)[]) => {
		const present = keys.filter((k) => k !== undefined);
		return present.length === 0
			? []
			: [sql`SELECT 1 FROM ${users} WHERE tenant_id = ${tenantId} AND ${column} IN ${present}`];
	};
	const probes = [
		...probe(
			sql`external_id`,
			sample.map((i) => i.value.externalId),
		),
		...probe(
			sql`email_lower`,
			sample.map((i) => i.value.email?.toLowerCase()),
		),
	];
	if (probes.length === 0) return true;
	return (await database.all(sql`${sql.join(probes, sql` UNION ALL `)} LIMIT 1`)).length === 0;
}

/**
 * Resolves each record to an existing user (externalId first, else email; an email-only user is
 * adopted by the first record that brings an externalId for it), decides create / update /
 * unchanged / skip / conflict, and builds the few set-based statements that write the chunk.
 */
async function planUsers(database: Db, ctx: WriteContext, items: Item<UserRecord>[], mayGuess: boolean): Promise<Plan> {
	const outcome = emptyOutcome();
	const ids = (u: UserRecord) => ({ externalId: u.externalId, email: u.email });

	const last = new Map<string, Item<UserRecord>>();
	for (const item of items) last.set(identityOf(item.value), item);
	for (const item of items) {
		if (last.get(identityOf(item.value)) !== item)
			settle(outcome, { ref: item.ref, ...ids(item.value), outcome: "skipped" });
	}

	const latest = [...last.values()];
	const guessed = mayGuess && !ctx.options.dryRun && (await looksNew(database, ctx.tenantId, latest));
	const existing = guessed ? [] : await existingUsers(database, ctx.tenantId, latest);
	const byExternalId = new Map(existing.filter((r) => r.externalId !== null).map((r) => [r.externalId!, r]));
	const byEmail = new Map(existing.filter((r) => r.emailLower !== null).map((r) => [r.emailLower!, r]));
	const claimed = await claimedLater(database, ctx, existing.length > 0 ? [...last.keys()] : []);
	const emailClaims = new Map<string, string>();

	const creates: Planned[] = [];
	const updates: Planned[] = [];
	for (const item of [...last.values()].sort((a, b) => a.ref - b.ref)) {
		const u = item.value;
		const emailLower = u.email?.toLowerCase();
		const refError = { ref: item.ref, ...ids(u) };
		if (ctx.options.requireExternalId && u.externalId === undefined) {
			// Only Userpilot's routes require it, and their records spell it user_id.
			fail(outcome, { ...refError, code: "VALIDATION_ERROR", field: "user_id", error: "A user_id is required" });
			continue;
		}
		const emailOwner = emailLower !== undefined ? byEmail.get(emailLower) : undefined;
		let row = u.externalId !== undefined ? byExternalId.get(u.externalId) : emailOwner;
		if (!row && emailOwner && emailOwner.externalId === null) row = emailOwner;
		if (emailOwner && emailOwner !== row) {
			fail(outcome, {
				...refError,
				code: "CONFLICT",
				field: "email",
				error: `Email ${u.email} belongs to another user`,
			});
			continue;
		}
		const identity = identityOf(u);
		if (emailLower !== undefined && (emailClaims.get(emailLower) ?? identity) !== identity) {
			fail(outcome, {
				...refError,
				code: "CONFLICT",
				field: "email",
				error: `Email ${u.email} is given to another user in this import`,
			});
			continue;
		}
		if (emailLower !== undefined) emailClaims.set(emailLower, identity);

		if (!row) {
			creates.push(item);
			settle(outcome, { ...refError, outcome: "created" });
			const key = {
				...(u.externalId !== undefined ? { externalId: u.externalId } : {}),
				...(emailLower ? { emailLower } : {}),
			};
			keepBefore(ctx, outcome, { ...refError, kind: "created", key });
		} else if (
			decideExisting(ctx, outcome, row, claimed.has(identity), {
				...refError,
				code: "CONFLICT",
				error: "User already exists",
			})
		) {
			// A record without a status makes its user active: an import that names a user brings it back.
			const status = u.status ?? "active";
			const diff = changes(row, u, SCALARS, OBJECTS, ctx.options.replaceFields);
			if (row.status !== status) diff.status = [row.status, status];
			if (Object.keys(diff).length > 0) {
				const rekeys =
					(u.externalId !== undefined && u.externalId !== row.externalId) ||
					(emailLower !== undefined && emailLower !== row.emailLower);
				const value = withoutUnchangedObjects(u, diff, OBJECTS);
				updates.push({ ...item, value, id: row.id, rekeys });
				settle(outcome, { ...refError, outcome: "updated", ...(ctx.options.dryRun ? { changes: diff } : {}) });
				keepBefore(ctx, outcome, { ...refError, kind: "updated", row });
			} else {
				settle(outcome, { ...refError, outcome: "unchanged" });
				outcome.claims.push(identity);
				keepBefore(ctx, outcome, { ...refError, kind: "unchanged", row });
			}
		}
	}
	if (ctx.options.dryRun) return { outcome, statements: [] };
	const each = await rowsFunction(database);
	return { outcome, statements: userStatements(ctx, each, creates, updates), guessed };
}

const ROWS = jsonRows([
	"externalId",
	"email",
	"firstName",
	"lastName",
	"companyId",
	"role",
	"clientId",
	"customFields",
	"metadata",
	"status",
	"id",
	"line",
]);
const f = ROWS.field;
const rowOf = (p: Planned) => ({ ...p.value, id: p.id, line: p.ref });

function userStatements(ctx: WriteContext, each: RowsFunction, creates: Planned[], updates: Planned[]) {
	const { tenantId, now, source } = ctx;
	const replace = ctx.options.replaceFields;
	const created = (p: Planned) => ({
		...rowOf(p),
		customFields: createdFields(p.value.customFields, replace),
		metadata: createdFields(p.value.metadata, replace),
	});
	const statements = ROWS.parts(creates.map(created)).map(
		(
			rows,
		) => sql`INSERT INTO ${users} (tenant_id, external_id, email, email_lower, first_name, last_name, company_id, role, client_id, custom_fields, metadata, status, created_at, updated_at, src_job, src_line)
			SELECT ${tenantId}, ${f("externalId")}, ${f("email")}, lower(${f("email")}), ${f("firstName")}, ${f("lastName")}, ${f("companyId")}, ${f("role")}, ${f("clientId")}, ${f("customFields")}, ${f("metadata")}, coalesce(${f("status")}, 'active'), ${now}, ${now}, ${source}, ${f("line")}
			FROM ${rowsOf(rows, each)}`,
	);
	// D1 bills a write to each index an UPDATE sets, even to the value it had: the identity columns are set only when they change.
	const identity = sql`external_id = coalesce(excluded.external_id, external_id),
		email_lower = coalesce(excluded.email_lower, email_lower),`;
	for (const rekeying of [false, true])
		for (const rows of ROWS.parts(updates.filter((p) => p.rekeys === rekeying).map(rowOf))) {
			// An upsert on the id, not UPDATE … FROM: D1 bills it 2 rows read per user instead of 4. Absent fields keep
			// their stored value, JSON fields merge (merge.ts); the src guard lets a later line of the same job win.
			// Its insert half is never taken (the id was read), but would bring back a user deleted meanwhile.
			statements.push(sql`INSERT INTO ${users} (id, tenant_id, external_id, email, email_lower, first_name, last_name, company_id, role, client_id, custom_fields, metadata, status, created_at, updated_at, src_job, src_line)
				SELECT ${f("id")}, ${tenantId}, ${f("externalId")}, ${f("email")}, lower(${f("email")}), ${f("firstName")}, ${f("lastName")}, ${f("companyId")}, ${f("role")}, ${f("clientId")}, ${f("customFields")}, ${f("metadata")}, coalesce(${f("status")}, 'active'), ${now}, ${now}, ${source}, ${f("line")}
				FROM ${rowsOf(rows, each)} WHERE true
				ON CONFLICT (id) DO UPDATE SET ${rekeying ? identity : sql``}
				email = coalesce(excluded.email, email), first_name = coalesce(excluded.first_name, first_name),
				last_name = coalesce(excluded.last_name, last_name), company_id = coalesce(excluded.company_id, company_id),
				role = coalesce(excluded.role, role), client_id = coalesce(excluded.client_id, client_id),
				custom_fields = ${mergedColumn(sql`custom_fields`, sql`excluded.custom_fields`, replace)},
				metadata = ${mergedColumn(sql`metadata`, sql`excluded.metadata`, replace)},
				status = excluded.status, updated_at = excluded.updated_at, src_job = excluded.src_job, src_line = excluded.src_line
				WHERE NOT (src_job = excluded.src_job AND src_line > excluded.src_line)`);
		}
	if (ctx.options.sendWelcomeEmail && creates.length > 0) statements.push(...welcomeStatements(ctx, creates));
	return statements;
}

/** One welcome per created user; the unique index on (tenant, user, kind) makes a second impossible. */
function welcomeStatements(ctx: WriteContext, creates: Planned[]) {
	const invite = ctx.options.inviteMessage ?? null;
	const byExternal = creates.flatMap((c) => (c.value.externalId !== undefined ? [c.value.externalId] : []));
	const byEmail = creates.flatMap((c) => (c.value.externalId === undefined ? [c.value.email!.toLowerCase()] : []));
	const insert = (match: SQL, keys: string[]) =>
		sql`INSERT INTO ${notifications} (tenant_id, user_id, kind, email, external_id, invite_message, created_at)
			SELECT tenant_id, id, 'welcome', email, external_id, ${invite}, ${ctx.now} FROM ${users}
			WHERE tenant_id = ${ctx.tenantId} AND ${match} IN (SELECT value FROM json_each(${JSON.stringify(keys)}))
			ON CONFLICT DO NOTHING`;
	const statements: SQL[] = [];
	if (byExternal.length > 0) statements.push(insert(sql`external_id`, byExternal));
	if (byEmail.length > 0) statements.push(insert(sql`email_lower`, byEmail));
	return statements;
}

export const userKind = defineKind({
	body: "users",
	schema: UserRecord,
	accept: plainUser,
	aliases: USER_ALIASES,
	identity: { externalId: "externalId", email: "email" },
	plan: planUsers,
	conflictsOn: users,
});
