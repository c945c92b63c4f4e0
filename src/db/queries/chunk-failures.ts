import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { chunkFailures } from "../schema";

/** Keeps the error of a chunk's failed attempt, the last one winning, and counts the attempts. */
export async function recordChunkFailure(database: Db, jobId: string, chunk: number, error: string): Promise<void> {
	await database
		.insert(chunkFailures)
		.values({ jobId, chunk, attempts: 1, error })
		.onConflictDoUpdate({
			target: [chunkFailures.jobId, chunkFailures.chunk],
			set: { attempts: sql`${chunkFailures.attempts} + 1`, error },
		});
}

export async function findChunkFailure(database: Db, jobId: string, chunk: number) {
	const [row] = await database
		.select()
		.from(chunkFailures)
		.where(and(eq(chunkFailures.jobId, jobId), eq(chunkFailures.chunk, chunk)));
	return row;
}
