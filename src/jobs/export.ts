import { noD1Usage } from "../db/metered";
import { tenantRecords } from "../db/placement";
import { exportRecords } from "../db/queries/exports";
import { ExportPlan, exportPartKey, exportPlanKey } from "../schemas/exports";
import { noUsage } from "../schemas/jobs";
import type { ChunkMessage } from "../schemas/messages";
import { tenantObject } from "../services/tenant";
import type { ChunkResult } from "./consumer";
import { exportLines } from "./export-file";

export async function readExportPlan(env: Env, jobId: string): Promise<ExportPlan | undefined> {
	const object = await env.FILES.get(exportPlanKey(jobId));
	return object ? ExportPlan.parse(await object.json()) : undefined;
}

/**
 * Writes one page of an export into its own part of the file and reports it. A page is a fixed
 * range of row ids, so a redelivered step (or one sent again after a crash) writes the same part
 * over itself: the file never holds a record twice, and the tenant object counts the page once.
 * Its records count as `unchanged` (read, nothing written); those that no longer match the filter
 * since the export was planned count as `skipped`, so the job's counts still add up to its total.
 */
export async function writeExportPage(env: Env, message: ChunkMessage): Promise<ChunkResult> {
	try {
		const plan = await readExportPlan(env, message.jobId);
		const page = plan?.pages[message.chunk];
		if (!plan || !page) return { status: "gone" };
		const after = plan.pages[message.chunk - 1]?.last ?? 0;
		// The step's message, the plan read (class B) and the part written (class A), and what its query reads.
		const d1 = noD1Usage();
		const database = await tenantRecords(env, message.tenantId, d1);
		const records = await exportRecords(database, plan.type, message.tenantId, plan.filter, after, page.last);
		const usage = { ...noUsage(), d1RowsRead: d1.rowsRead, queueOperations: 3, r2ClassA: 1, r2ClassB: 1 };
		await env.FILES.put(exportPartKey(message.jobId, message.chunk), exportLines(plan.format, plan.header, records));
		const counts = { created: 0, updated: 0, unchanged: records.length, failed: 0 };
		const skipped = Math.max(0, page.records - records.length);
		await tenantObject(env, message.tenantId).chunkDone(message.jobId, message.chunk, { ...counts, skipped }, usage);
		return { status: "written" };
	} catch (error) {
		return { status: "failed", error: String(error) };
	}
}
