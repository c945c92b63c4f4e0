import { randomId } from "../auth/keys";
import type { Db } from "../db/client";
import { noD1Usage } from "../db/metered";
import { tenantRecords } from "../db/placement";
import {
	countDeactivations,
	type Deactivation,
	deactivateBatch,
	deactivations,
	decide,
	recordSyncDone,
	type SyncDecision,
	syncDone,
} from "../db/writes/full-sync";
import { noUsage, type ReportedCounts } from "../schemas/jobs";
import type { ChunkMessage } from "../schemas/messages";
import { DEFAULT_MAX_DEACTIVATE } from "../schemas/records";
import { tenantObject } from "../services/tenant";
import type { ChunkResult } from "./consumer";
import { putResults } from "./results";

const NO_RECORDS = { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };

const share = (n: number, of: number) => (of === 0 ? "0" : `${Math.round((n / of) * 1000) / 10}`);

/** Why a full sync deactivated nobody: the job's errorMessage, in the words of a 409. */
function refusal(d: SyncDecision, maxDeactivate: number): string {
	const limit =
		maxDeactivate < 1 ? `${share(maxDeactivate, 1)} % of ${d.active} active users: ${d.allowed}` : d.allowed;
	return `Refused (409 CONFLICT): the full sync would deactivate ${d.candidates} of ${d.active} active users (${share(d.candidates, d.active)} %), more than maxDeactivate allows (${limit}); nobody was deactivated. The file's records were written; check that the file is complete, or raise maxDeactivate.`;
}

/**
 * A full sync's last step, run from the chunk queue once every chunk of the file has reported: the
 * decision, the deactivation in batches, the results, the ledger row; then the tenant object hears
 * the counts (completing the job) or the refusal (failing it). Every part may run again after a
 * crash, or twice at once: each finds what the other did and does no more.
 */
export async function finishFullSync(env: Env, message: ChunkMessage): Promise<ChunkResult> {
	try {
		const tenant = tenantObject(env, message.tenantId);
		const d1 = noD1Usage();
		const outcome = await syncStep(env, message, await tenantRecords(env, message.tenantId, d1));
		if (outcome === undefined) return { status: "gone" };
		if ("refused" in outcome) await tenant.failJob(message.jobId, outcome.refused);
		else
			await tenant.chunkDone(message.jobId, message.chunk, outcome, {
				...noUsage(),
				d1RowsRead: d1.rowsRead,
				d1RowsWritten: d1.rowsWritten,
				// Its results, and its own message.
				r2ClassA: 1,
				queueOperations: 3,
			});
		return { status: "written" };
	} catch (error) {
		return { status: "failed", error: String(error) };
	}
}

async function syncStep(
	env: Env,
	message: ChunkMessage,
	database: Db,
): Promise<ReportedCounts | { refused: string } | undefined> {
	const { tenantId, jobId, chunk, options } = message;
	const done = await syncDone(database, jobId, chunk);
	if (done !== undefined) return { ...NO_RECORDS, deactivated: done };
	const job = await tenantObject(env, tenantId).getJob(jobId);
	// A cancelled (or deleted) job deactivates nobody.
	if (job?.status !== "processing") return undefined;

	const maxDeactivate = options.maxDeactivate ?? DEFAULT_MAX_DEACTIVATE;
	const decision = await decide(database, { tenantId, jobId, attempt: randomId("try"), maxDeactivate });
	if (decision.candidates > decision.allowed) return { refused: refusal(decision, maxDeactivate) };

	const state = options.dryRun ? "pending" : "deactivated";
	if (!options.dryRun) {
		const now = new Date().toISOString();
		while (await deactivateBatch(database, { tenantId, jobId, now }));
	}
	const results = await putResults(env, jobId, chunk, randomId("try"), await resultText(database, jobId, state));
	const deactivated = await countDeactivations(database, jobId, state);
	const winner = await recordSyncDone(database, { jobId, chunk, results, deactivated });
	if (winner !== results) await env.FILES.delete(results);
	return { ...NO_RECORDS, deactivated: (await syncDone(database, jobId, chunk)) ?? deactivated };
}

/** One results line per deactivated user (per user that would be, in a dry run): outcome `deactivated`, no line. */
async function resultText(database: Db, jobId: string, state: "pending" | "deactivated"): Promise<string> {
	const lines: string[] = [];
	let page: Deactivation[];
	let after = 0;
	do {
		page = await deactivations(database, jobId, state, after, 1000);
		for (const d of page) {
			const ids = { externalId: d.externalId ?? undefined, email: d.email ?? undefined };
			lines.push(`${JSON.stringify({ ...ids, outcome: "deactivated" })}\n`);
		}
		after = page.at(-1)?.userId ?? after;
	} while (page.length > 0);
	return lines.join("");
}
