import { sql } from "drizzle-orm";
import { randomId } from "../auth/keys";
import type { Db } from "../db/client";
import { noD1Usage } from "../db/metered";
import { tenantRecords } from "../db/placement";
import { chunkCounts } from "../db/queries/jobs";
import { jobChunks, jobErrors } from "../db/schema";
import { type Item, type RecordError, writeRecords } from "../db/writes";
import { assignmentStatements } from "../db/writes/assign";
import { seenStatements } from "../db/writes/full-sync";
import { jsonParts } from "../db/writes/json-param";
import { KINDS } from "../db/writes/kinds";
import { csvErrorNames, parseCsvChunk } from "../ingest/csv";
import { parseNdjsonChunk } from "../ingest/ndjson";
import { announceWelcomes } from "../notify/deliver";
import { type Counts, chunkKey, noUsage, type Usage } from "../schemas/jobs";
import type { ChunkMessage } from "../schemas/messages";
import { storedRecord } from "../services/report";
import { tenantObject } from "../services/tenant";
import { putBefore } from "./before";
import { readContext } from "./files";
import { putResults, resultLines } from "./results";
import { finishFullSync } from "./sync";
import { undoChunk } from "./undo";

/** What became of a chunk message: `failed` is for the queue handler to retry, the others are done. */
export type ChunkResult = { status: "written" | "gone" } | { status: "failed"; error: string };

/**
 * Writes one chunk exactly once: its records, its error rows and its ledger row are one D1
 * transaction, so a redelivered chunk (or one whose consumer died before acking) finds the ledger
 * row and only reports the stored counts to the tenant object again, which counts a chunk once.
 * `gone`: the job was deleted with its chunks.
 */
export async function processChunk(env: Env, message: ChunkMessage): Promise<ChunkResult> {
	if (message.step === "deactivate") return finishFullSync(env, message);
	try {
		// The chunk's own message: written by the tenant object, read and deleted here.
		const usage = { ...noUsage(), queueOperations: 3 };
		const counts = await writeChunk(env, message, usage);
		if (!counts) return { status: "gone" };
		if (await announceWelcomes(env, message.tenantId, message.options, counts.created)) usage.queueOperations += 3;
		await tenantObject(env, message.tenantId).chunkDone(message.jobId, message.chunk, counts, usage);
		return { status: "written" };
	} catch (error) {
		return { status: "failed", error: String(error) };
	}
}

/**
 * The chunk's counts, from the ledger when it was written before; undefined when its job is gone.
 * What the attempt used is added to `usage`.
 */
export async function writeChunk(env: Env, message: ChunkMessage, usage = noUsage()): Promise<Counts | undefined> {
	const d1 = noD1Usage();
	try {
		return await writeChunkOnce(env, message, await tenantRecords(env, message.tenantId, d1), usage);
	} finally {
		usage.d1RowsRead += d1.rowsRead;
		usage.d1RowsWritten += d1.rowsWritten;
	}
}

async function writeChunkOnce(
	env: Env,
	message: ChunkMessage,
	database: Db,
	usage: Usage,
): Promise<Counts | undefined> {
	const { tenantId, jobId, chunk } = message;
	const done = await chunkCounts(database, jobId, chunk);
	if (done) return done;
	if (message.undoOf) return undoChunk(env, database, message, message.undoOf);

	// A commit runs its preview's input: the chunks and context stay where the preview put them.
	const inputOf = message.commitOf ?? jobId;
	const [object, context] = await Promise.all([
		env.FILES.get(chunkKey(inputOf, chunk)),
		message.format === "csv" ? readContext(env, inputOf) : undefined,
	]);
	usage.r2ClassB += message.format === "csv" ? 2 : 1;
	if (!object || (message.format === "csv" && !context)) return undefined;
	const bytes = new Uint8Array(await object.arrayBuffer());
	const lines = context
		? parseCsvChunk(bytes, context.columns, message.firstLine)
		: parseNdjsonChunk(bytes, message.firstLine);

	const items: Item[] = [];
	const raws = new Map<number, string>();
	const cutByParser = new Set<number>();
	const parseErrors: RecordError[] = [];
	for (const line of lines) {
		const ref = message.origin === "json" ? line.line - 1 : line.line;
		raws.set(ref, line.raw);
		if (line.truncated) cutByParser.add(ref);
		if (line.error !== undefined) parseErrors.push({ ref, code: "VALIDATION_ERROR", error: line.error });
		else items.push({ ref, value: message.overrides ? { ...line.value, ...message.overrides } : line.value });
	}

	const ctx = { tenantId, source: jobId, options: message.options, now: new Date().toISOString(), chunk };
	const attempt = randomId("try");
	let resultsKey: string | undefined;
	let beforeKey: string | null = null;
	const write = writeRecords(database, ctx, message.recordType, items, async (o) => {
		[resultsKey, beforeKey] = await Promise.all([
			putResults(env, jobId, chunk, attempt, resultLines(message.origin, o, parseErrors)),
			o.before.length > 0 ? putBefore(env, jobId, chunk, attempt, { at: ctx.now, entries: o.before }) : null,
		]);
		usage.r2ClassA += beforeKey ? 2 : 1;
		const errors = [...parseErrors, ...o.errors].map((e) => {
			const raw = raws.get(e.ref);
			const kept = raw === undefined ? undefined : storedRecord(raw);
			const truncated = kept?.truncated === true || cutByParser.has(e.ref);
			const { field, column } =
				context && e.field ? csvErrorNames(e.field, context.columns, KINDS[message.recordType]) : e;
			return { ref: e.ref, code: e.code, field, column, error: e.error, raw: kept?.raw ?? null, truncated };
		});
		const claims = o.claims.length > 0 ? JSON.stringify(o.claims) : null;
		return [
			sql`INSERT INTO ${jobChunks} (job_id, chunk, created, updated, unchanged, skipped, failed, results, claims, before, before_rows)
				VALUES (${jobId}, ${chunk}, ${o.created}, ${o.updated}, ${o.unchanged}, ${o.skipped}, ${o.failed + parseErrors.length}, ${resultsKey}, ${claims}, ${beforeKey}, ${o.before.length})`,
			...(context?.assign ? assignmentStatements(ctx, items, o, context.assign) : []),
			...(message.options.sync === "full" ? seenStatements(tenantId, jobId, items) : []),
			...jsonParts(errors).map(
				(rows) => sql`INSERT INTO ${jobErrors} (job_id, ref, code, field, "column", error, raw, truncated)
					SELECT ${jobId}, v->>'ref', v->>'code', v->>'field', v->>'column', v->>'error', v->>'raw', v->>'truncated'
					FROM (SELECT value AS v FROM json_each(${rows}))
					WHERE true ON CONFLICT DO NOTHING`,
			),
		];
	});
	try {
		const { created, updated, unchanged, skipped, failed } = await write;
		return { created, updated, unchanged, skipped, failed: failed + parseErrors.length };
	} catch (error) {
		// A twin delivery that committed first makes this batch fail on the ledger; its counts (and results) stand.
		const twin = await chunkCounts(database, jobId, chunk);
		await env.FILES.delete([resultsKey, beforeKey].filter((k): k is string => !!k));
		if (twin) return twin;
		throw error;
	}
}
