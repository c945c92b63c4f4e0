import { tenantRecords } from "../db/placement";
import { findChunkFailure, recordChunkFailure } from "../db/queries/chunk-failures";
import { chunkKey } from "../schemas/jobs";
import type { ChunkMessage } from "../schemas/messages";

const MAX_ERROR_CHARS = 500;

/** Keeps the error of a chunk's failed attempt, for the message of its job if the chunk dead-letters. */
export async function chunkAttemptFailed(env: Env, message: ChunkMessage, error: string): Promise<void> {
	await recordChunkFailure(
		await tenantRecords(env, message.tenantId),
		message.jobId,
		message.chunk,
		error.slice(0, MAX_ERROR_CHARS),
	);
}

/** The chunk's physical lines, first and last, recounted from its file (chunks keep blank lines). */
async function lineRange(env: Env, message: ChunkMessage): Promise<[number, number] | undefined> {
	const object = await env.FILES.get(chunkKey(message.jobId, message.chunk));
	if (!object) return undefined;
	const bytes = new Uint8Array(await object.arrayBuffer());
	let lines = 0;
	for (const byte of bytes) if (byte === 10) lines++;
	if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) lines++;
	return [message.firstLine, message.firstLine + Math.max(1, lines) - 1];
}

/** What a job whose chunk was dead-lettered says: which records, the last error, and that retry takes them. */
export async function deadLetterMessage(env: Env, message: ChunkMessage): Promise<string> {
	if (message.step === "deactivate") {
		const failure = await findChunkFailure(await tenantRecords(env, message.tenantId), message.jobId, message.chunk);
		return `The full sync's deactivation could not finish${failure ? `; last error: ${failure.error}` : ""}. The file's records were written; its results list the users deactivated before it stopped.`;
	}
	const [range, failure] = await Promise.all([
		lineRange(env, message),
		tenantRecords(env, message.tenantId).then((database) => findChunkFailure(database, message.jobId, message.chunk)),
	]);
	// JSON batches are reported by 0-based index, files by 1-based line.
	const where =
		range === undefined
			? `from line ${message.firstLine}`
			: message.origin === "json"
				? `records ${range[0] - 1}-${range[1] - 1}`
				: `lines ${range[0]}-${range[1]}`;
	const why = failure
		? `after ${failure.attempts} attempts; last error: ${failure.error}`
		: "after repeated attempts (none reported an error: each stopped before it could)";
	return `Chunk ${message.chunk} (${where}) could not be written ${why}. Records of other chunks were written; retry the job to import this chunk's records.`;
}
