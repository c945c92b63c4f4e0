import { type SQL, sql } from "drizzle-orm";
import { type Db, runBatch } from "../client";
import { jobChunks, jobDeactivations, jobSeen, jobSyncs, users } from "../schema";
import { identityHints } from "./index";
import { jsonParts } from "./json-param";
import type { Item } from "./types";
import { userKind } from "./users";

/*
 * A full sync's writes (spec §15). Each chunk records the stored users its records name
 * (`seenStatements`, in the chunk's own batch). After the last chunk, one batch decides (`decide`):
 * it counts the active users and those not seen, and, only when no more than `maxDeactivate` would
 * go, freezes them as the job's pending deactivations. Batches of them are then made inactive
 * (`deactivateBatch`), each batch one transaction that moves its rows out of `pending`, so a batch
 * run twice, or by two consumers at once, changes nothing more.
 */

/** Every identity a chunk's records give (failed records too: a record that names a user keeps it), and the users they name. */
export function seenStatements(tenantId: string, jobId: string, items: Item[]): SQL[] {
	const externalIds = new Set<string>();
	const emails = new Set<string>();
	for (const item of items) {
		const { externalId, email } = identityHints(userKind, item.value);
		if (externalId !== undefined) externalIds.add(externalId);
		if (email !== undefined) emails.add(email.toLowerCase());
	}
	const named = (column: SQL, values: Set<string>) =>
		jsonParts([...values]).map(
			(part) => sql`INSERT INTO ${jobSeen} (job_id, user_id) SELECT ${jobId}, id FROM ${users}
				WHERE tenant_id = ${tenantId} AND ${column} IN (SELECT value FROM json_each(${part})) ON CONFLICT DO NOTHING`,
		);
	return [...named(sql`external_id`, externalIds), ...named(sql`email_lower`, emails)];
}

export type SyncDecision = typeof jobSyncs.$inferSelect;

/**
 * The job's decision, taken once: a later call (a redelivery, a second consumer) finds it stored and
 * changes nothing. `maxDeactivate` below 1 is a fraction of the active users counted in the same
 * transaction (rounded down), from 1 a count.
 */
export async function decide(
	database: Db,
	{
		tenantId,
		jobId,
		attempt,
		maxDeactivate,
	}: { tenantId: string; jobId: string; attempt: string; maxDeactivate: number },
): Promise<SyncDecision> {
	const unseen = sql`FROM ${users} u WHERE u.tenant_id = ${tenantId} AND u.status = 'active'
		AND NOT EXISTS (SELECT 1 FROM ${jobSeen} s WHERE s.job_id = ${jobId} AND s.user_id = u.id)`;
	// The epsilon keeps 0.29 x 100 from flooring to 28.
	const allowed = sql`CASE WHEN ${maxDeactivate} < 1 THEN CAST(${maxDeactivate} * a.n + 1e-9 AS INTEGER) ELSE ${maxDeactivate} END`;
	await runBatch(database, [
		sql`INSERT INTO ${jobSyncs} (job_id, attempt, active, candidates, allowed)
			SELECT ${jobId}, ${attempt}, a.n, c.n, ${allowed}
			FROM (SELECT count(*) AS n FROM ${users} WHERE tenant_id = ${tenantId} AND status = 'active') a,
				(SELECT count(*) AS n ${unseen}) c
			WHERE true ON CONFLICT DO NOTHING`,
		sql`INSERT INTO ${jobDeactivations} (job_id, user_id, state) SELECT ${jobId}, u.id, 'pending' ${unseen}
			AND EXISTS (SELECT 1 FROM ${jobSyncs} WHERE job_id = ${jobId} AND attempt = ${attempt} AND candidates <= allowed)`,
	]);
	const [decision] = await database.select().from(jobSyncs).where(sql`${jobSyncs.jobId} = ${jobId}`);
	return decision!;
}

const BATCH = 1000;

/** Makes the next batch of pending users inactive; false when none was left. */
export async function deactivateBatch(
	database: Db,
	{ tenantId, jobId, now }: { tenantId: string; jobId: string; now: string },
): Promise<boolean> {
	const ids = await database.all<{ id: number }>(sql`SELECT user_id AS id FROM ${jobDeactivations}
		WHERE job_id = ${jobId} AND state = 'pending' ORDER BY user_id LIMIT ${BATCH}`);
	if (ids.length === 0) return false;
	const batch = JSON.stringify(ids.map((r) => r.id));
	const pending = sql`SELECT user_id FROM ${jobDeactivations} WHERE job_id = ${jobId} AND state = 'pending'
		AND user_id IN (SELECT value FROM json_each(${batch}))`;
	await runBatch(database, [
		// What an undo puts back, read in the transaction that overwrites it.
		sql`UPDATE ${jobDeactivations} SET before_updated_at = u.updated_at, before_src_job = u.src_job,
				before_src_line = u.src_line
			FROM ${users} u WHERE u.id = ${jobDeactivations.userId} AND ${jobDeactivations.jobId} = ${jobId}
				AND ${jobDeactivations.userId} IN (${pending})`,
		// The job is the row's last writer; src_line 0 is no line of its file.
		sql`UPDATE ${users} SET status = 'inactive', updated_at = ${now}, src_job = ${jobId}, src_line = 0
			WHERE tenant_id = ${tenantId} AND status = 'active' AND id IN (${pending})`,
		// A user found inactive already (or gone) since the decision is skipped, not counted.
		sql`UPDATE ${jobDeactivations} SET state = CASE WHEN EXISTS (SELECT 1 FROM ${users} u WHERE u.id = user_id
				AND u.status = 'inactive' AND u.src_job = ${jobId} AND u.updated_at = ${now}) THEN 'deactivated' ELSE 'skipped' END
			WHERE job_id = ${jobId} AND user_id IN (${pending})`,
	]);
	return true;
}

export type Deactivation = { userId: number; externalId: string | null; email: string | null };

/** The job's deactivations in `state` (pending ones are what a dry run would do), in user order after `after`. */
export function deactivations(
	database: Db,
	jobId: string,
	state: "pending" | "deactivated",
	after: number,
	limit: number,
): Promise<Deactivation[]> {
	return database.all<Deactivation>(sql`SELECT d.user_id AS userId, u.external_id AS externalId, u.email
		FROM ${jobDeactivations} d JOIN ${users} u ON u.id = d.user_id
		WHERE d.job_id = ${jobId} AND d.state = ${state} AND d.user_id > ${after} ORDER BY d.user_id LIMIT ${limit}`);
}

export async function countDeactivations(database: Db, jobId: string, state: "pending" | "deactivated") {
	const [row] = await database.all<{ n: number }>(
		sql`SELECT count(*) AS n FROM ${jobDeactivations} WHERE job_id = ${jobId} AND state = ${state}`,
	);
	return row?.n ?? 0;
}

/** The users the last step deactivated, from its ledger row; undefined until it has been written. */
export async function syncDone(database: Db, jobId: string, chunk: number): Promise<number | undefined> {
	const [row] = await database.all<{ deactivated: number }>(
		sql`SELECT deactivated FROM ${jobChunks} WHERE job_id = ${jobId} AND chunk = ${chunk}`,
	);
	return row?.deactivated;
}

/**
 * The last step's ledger row, after which a redelivery only reports its counts; the seen users are
 * no longer needed. The first of two racing finishers wins: the answer is the results object its row names.
 */
export async function recordSyncDone(
	database: Db,
	{ jobId, chunk, results, deactivated }: { jobId: string; chunk: number; results: string; deactivated: number },
): Promise<string | null> {
	await runBatch(database, [
		sql`INSERT INTO ${jobChunks} (job_id, chunk, created, updated, unchanged, skipped, failed, results, deactivated)
			VALUES (${jobId}, ${chunk}, 0, 0, 0, 0, 0, ${results}, ${deactivated}) ON CONFLICT DO NOTHING`,
		sql`DELETE FROM ${jobSeen} WHERE job_id = ${jobId}`,
	]);
	const [row] = await database.all<{ results: string | null }>(
		sql`SELECT results FROM ${jobChunks} WHERE job_id = ${jobId} AND chunk = ${chunk}`,
	);
	return row?.results ?? null;
}
