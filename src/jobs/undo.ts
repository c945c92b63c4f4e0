import { and, eq, sql } from "drizzle-orm";
import { randomId } from "../auth/keys";
import { type Db, runBatch } from "../db/client";
import { chunkCounts } from "../db/queries/jobs";
import { REVERTS, reactivate, removeAssignments, type UndoContext, type UndoLine } from "../db/revert";
import { jobChunks } from "../db/schema";
import type { RecordType } from "../schemas/common";
import type { Counts } from "../schemas/jobs";
import type { ChunkMessage } from "../schemas/messages";
import { readBefore } from "./before";
import { putResults } from "./results";

/** One chunk of the undone job, from its ledger row: its before-images, and whether it was a full sync's last step. */
async function undoneChunk(database: Db, jobId: string, chunk: number) {
	const [row] = await database
		.select({ key: jobChunks.before, deactivated: jobChunks.deactivated })
		.from(jobChunks)
		.where(and(eq(jobChunks.jobId, jobId), eq(jobChunks.chunk, chunk)));
	return row;
}

async function restoreImages(env: Env, database: Db, type: RecordType, ctx: UndoContext, key?: string | null) {
	const image = await readBefore(env, key);
	return REVERTS[type].undo(database, { ...ctx, at: image.at }, image.entries);
}

function resultText(origin: ChunkMessage["origin"], lines: UndoLine[]): string {
	const refName = origin === "json" ? "index" : "line";
	return [...lines]
		.sort((a, b) => (a.ref ?? 0) - (b.ref ?? 0))
		.map(({ ref, ...line }) => `${JSON.stringify(ref === undefined ? line : { [refName]: ref, ...line })}\n`)
		.join("");
}

/**
 * Undoes one chunk of a job: puts its rows back as its before-images have them, exactly once. The
 * restoring statements and the undo job's ledger row are one D1 transaction, as an import chunk's
 * records and ledger row are, so a redelivered chunk finds the ledger row and writes nothing again.
 * Chunk N of the undo job is chunk N of the undone job (a full sync's last step included, which
 * undo turns into re-activations); results name the undone job's lines.
 */
export async function undoChunk(
	env: Env,
	database: Db,
	message: ChunkMessage,
	undoOf: { job: string; endedAt: string },
): Promise<Counts> {
	const { tenantId, jobId, chunk } = message;
	const undone = await undoneChunk(database, undoOf.job, chunk);
	const ctx = { tenantId, job: undoOf.job, endedAt: undoOf.endedAt, at: "" };
	const { lines, statements } =
		undone && undone.deactivated > 0
			? await reactivate(database, ctx)
			: await restoreImages(env, database, message.recordType, ctx, undone?.key);
	// bulkImport's assignments are not records of the file: the first chunk removes them all, users kept or not.
	if (chunk === 0) statements.push(removeAssignments(tenantId, undoOf.job));
	const updated = lines.filter((l) => l.outcome === "updated").length;
	const counts = { created: 0, updated, unchanged: 0, skipped: lines.length - updated, failed: 0 };
	const resultsKey = await putResults(env, jobId, chunk, randomId("try"), resultText(message.origin, lines));
	try {
		await runBatch(database, [
			...statements,
			sql`INSERT INTO ${jobChunks} (job_id, chunk, created, updated, unchanged, skipped, failed, results)
				VALUES (${jobId}, ${chunk}, 0, ${counts.updated}, 0, ${counts.skipped}, 0, ${resultsKey})`,
		]);
		return counts;
	} catch (error) {
		// A twin delivery that committed first makes this batch fail on the ledger; its counts (and results) stand.
		await env.FILES.delete(resultsKey);
		const twin = await chunkCounts(database, jobId, chunk);
		if (twin) return twin;
		throw error;
	}
}
