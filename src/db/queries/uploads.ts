import { and, asc, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { uploadParts, uploads } from "../control-schema";

export type UploadRow = typeof uploads.$inferSelect;

export async function insertUpload(database: Db, row: typeof uploads.$inferInsert): Promise<UploadRow> {
	const [inserted] = await database.insert(uploads).values(row).returning();
	return inserted!;
}

export async function findUpload(database: Db, tenantId: string, id: string) {
	const [row] = await database
		.select()
		.from(uploads)
		.where(and(eq(uploads.id, id), eq(uploads.tenantId, tenantId)));
	return row;
}

export function listParts(database: Db, uploadId: string) {
	return database
		.select({ partNumber: uploadParts.partNumber, size: uploadParts.size, etag: uploadParts.etag })
		.from(uploadParts)
		.where(eq(uploadParts.uploadId, uploadId))
		.orderBy(asc(uploadParts.partNumber));
}

/**
 * Records a part (replacing one sent before) only while its upload is open, so a part that loses a
 * race with the completion is refused rather than silently left out; false when it was not open.
 */
export async function recordPart(
	database: Db,
	uploadId: string,
	part: { partNumber: number; etag: string; size: number },
): Promise<boolean> {
	const written = await database.run(
		sql`INSERT INTO ${uploadParts} (upload_id, part_number, etag, size)
			SELECT ${uploadId}, ${part.partNumber}, ${part.etag}, ${part.size}
			WHERE EXISTS (SELECT 1 FROM ${uploads} WHERE id = ${uploadId} AND status = 'open')
			ON CONFLICT (upload_id, part_number) DO UPDATE SET etag = excluded.etag, size = excluded.size`,
	);
	return written.meta.changes > 0;
}

/** Takes an open, unexpired upload for completion (it becomes completed, without a job yet). */
export async function claimUpload(database: Db, tenantId: string, id: string, now: string) {
	const [row] = await database
		.update(uploads)
		.set({ status: "completed" })
		.where(
			and(eq(uploads.id, id), eq(uploads.tenantId, tenantId), eq(uploads.status, "open"), gt(uploads.expiresAt, now)),
		)
		.returning();
	return row;
}

export async function setUploadJob(database: Db, id: string, jobId: string): Promise<void> {
	await database.update(uploads).set({ jobId }).where(eq(uploads.id, id));
}

/** A completion that failed before its job existed gives the upload back to its client. */
export async function reopenUpload(database: Db, id: string): Promise<void> {
	await database.update(uploads).set({ status: "open" }).where(eq(uploads.id, id));
}

export async function markAborted(database: Db, id: string): Promise<void> {
	await database.batch([
		database.update(uploads).set({ status: "aborted" }).where(eq(uploads.id, id)),
		database.delete(uploadParts).where(eq(uploadParts.uploadId, id)),
	]);
}

/** Uploads left open past expiry, and completions still without a job at `staleBefore` (they crashed). */
export function expiredUploads(database: Db, now: string, staleBefore: string, limit: number) {
	return database
		.select()
		.from(uploads)
		.where(
			or(
				and(eq(uploads.status, "open"), lte(uploads.expiresAt, now)),
				and(eq(uploads.status, "completed"), isNull(uploads.jobId), lte(uploads.expiresAt, staleBefore)),
			),
		)
		.limit(limit);
}
