import { type SQL, sql } from "drizzle-orm";
import type { Assignments } from "../../schemas/jobs";
import { enrollments, users } from "../schema";
import type { Item, Outcome, WriteContext } from "./types";

/**
 * Enrolls every user a chunk imported (all records but the failed ones) in each listed course,
 * learning path and bundle, and assigns each listed license. Idempotent: an existing enrollment
 * or assignment is left as it is. Each new one carries the job (`src_job`), which an undo removes.
 */
export function assignmentStatements(ctx: WriteContext, items: Item[], outcome: Outcome, assign: Assignments): SQL[] {
	const targets = (Object.entries(assign) as [string, string[]][]).flatMap(([kind, ids]) =>
		ids.map((id) => ({ kind, id })),
	);
	if (targets.length === 0 || ctx.options.dryRun) return [];
	const failed = new Set(outcome.errors.map((e) => e.ref));
	const imported = items
		.filter((i) => !failed.has(i.ref))
		.map((i) => i.value as { externalId?: string; email?: string });
	const byExternal = imported.flatMap((u) => (u.externalId ? [u.externalId] : []));
	const byEmail = imported.flatMap((u) => (!u.externalId && u.email ? [u.email.toLowerCase()] : []));
	const insert = (column: SQL, keys: string[]) =>
		sql`INSERT INTO ${enrollments} (tenant_id, user_id, kind, item_id, source, created_at, src_job)
			SELECT u.tenant_id, u.id, t.value->>'kind', t.value->>'id', 'bulkImport', ${ctx.now}, ${ctx.source}
			FROM ${users} u, json_each(${JSON.stringify(targets)}) t
			WHERE u.tenant_id = ${ctx.tenantId} AND ${column} IN (SELECT value FROM json_each(${JSON.stringify(keys)}))
			ON CONFLICT DO NOTHING`;
	const statements: SQL[] = [];
	if (byExternal.length > 0) statements.push(insert(sql`u.external_id`, byExternal));
	if (byEmail.length > 0) statements.push(insert(sql`u.email_lower`, byEmail));
	return statements;
}
