import { and, asc, count, eq, gt } from "drizzle-orm";
import { type Db, inJson } from "../client";
import { chunkFailures, jobChunks, jobDeactivations, jobErrors, jobSeen, jobSyncs } from "../schema";

export type ErrorRow = typeof jobErrors.$inferSelect;

/** A job's error rows in line (or index) order after the line `after`. */
export function errorPage(database: Db, jobId: string, after: number, limit: number): Promise<ErrorRow[]> {
	return database
		.select()
		.from(jobErrors)
		.where(and(eq(jobErrors.jobId, jobId), gt(jobErrors.ref, after)))
		.orderBy(asc(jobErrors.ref))
		.limit(limit);
}

/** Failed records a retry can take: those stored whole (not cut at 64 KiB). */
export async function countRetryable(database: Db, jobId: string): Promise<number> {
	const [row] = await database
		.select({ n: count() })
		.from(jobErrors)
		.where(and(eq(jobErrors.jobId, jobId), eq(jobErrors.truncated, false)));
	return row?.n ?? 0;
}

/** The counts a chunk committed, from its ledger row; undefined while it has not been written. */
export async function chunkCounts(database: Db, jobId: string, chunk: number) {
	const [done] = await database
		.select({
			created: jobChunks.created,
			updated: jobChunks.updated,
			unchanged: jobChunks.unchanged,
			skipped: jobChunks.skipped,
			failed: jobChunks.failed,
		})
		.from(jobChunks)
		.where(and(eq(jobChunks.jobId, jobId), eq(jobChunks.chunk, chunk)));
	return done;
}

/** Where the results of a job's written chunks are, in chunk (so input) order after the chunk `after`. */
export function resultsPage(database: Db, jobId: string, after: number, limit: number) {
	return database
		.select({ chunk: jobChunks.chunk, key: jobChunks.results })
		.from(jobChunks)
		.where(and(eq(jobChunks.jobId, jobId), gt(jobChunks.chunk, after)))
		.orderBy(asc(jobChunks.chunk))
		.limit(limit);
}

/** The chunks of a job that were written, from their ledger rows. */
export async function writtenChunks(database: Db, jobId: string): Promise<Set<number>> {
	const rows = await database.select({ chunk: jobChunks.chunk }).from(jobChunks).where(eq(jobChunks.jobId, jobId));
	return new Set(rows.map((r) => r.chunk));
}

/** The D1 rows of deleted jobs: their error reports, chunk ledgers, chunk failures and full-sync bookkeeping. */
export async function deleteJobRows(database: Db, jobIds: string[]): Promise<void> {
	await database.batch([
		database.delete(jobErrors).where(inJson(jobErrors.jobId, jobIds)),
		database.delete(jobChunks).where(inJson(jobChunks.jobId, jobIds)),
		database.delete(chunkFailures).where(inJson(chunkFailures.jobId, jobIds)),
		database.delete(jobSeen).where(inJson(jobSeen.jobId, jobIds)),
		database.delete(jobSyncs).where(inJson(jobSyncs.jobId, jobIds)),
		database.delete(jobDeactivations).where(inJson(jobDeactivations.jobId, jobIds)),
	]);
}

/** Where each written chunk of a job keeps the rows it touched as it found them, and how many, in chunk order. */
export function beforeImages(database: Db, jobId: string) {
	return database
		.select({
			chunk: jobChunks.chunk,
			key: jobChunks.before,
			rows: jobChunks.beforeRows,
			deactivated: jobChunks.deactivated,
		})
		.from(jobChunks)
		.where(eq(jobChunks.jobId, jobId))
		.orderBy(asc(jobChunks.chunk));
}
