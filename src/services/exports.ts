import { randomId } from "../auth/keys";
import { records } from "../db/client";
import type { TenantShard } from "../db/placement";
import { exportGroupColumns, exportPages } from "../db/queries/exports";
import { ApiError } from "../errors";
import { readExportPlan } from "../jobs/export";
import { csvHeader, headerLine } from "../jobs/export-file";
import { beginIntake, deleteEveryJobFile, endIntake } from "../jobs/files";
import { type ExportRequest, exportPartKey, exportPlanKey, isExportJob } from "../schemas/exports";
import type { Job, JobSpec } from "../schemas/jobs";
import { ImportOptions } from "../schemas/records";
import { author } from "./create-job";
import { findJob } from "./jobs";
import { orRefuse, tenantObject } from "./tenant";

/** An import takes at most this many CSV columns (spec §13), so a CSV export with more would not come back. */
const MAX_CSV_COLUMNS = 1000;

/**
 * Plans an export and queues it as a job: the pages (row-id ranges of EXPORT_PAGE_ROWS records) and,
 * for CSV, the header are read now, with one query each, and stored next to the job's parts; each
 * page is then one step on the chunk queue, written by `writeExportPage`.
 */
export async function createExport(env: Env, { tenantId, shard }: TenantShard, request: ExportRequest): Promise<Job> {
	const { type, format } = request;
	const filter = request.filter ?? {};
	if (filter.status !== undefined && type !== "users") {
		throw new ApiError("VALIDATION_ERROR", `Only users have a status; ${type} cannot be filtered by it`, [
			{ path: "filter.status", message: "users only" },
		]);
	}
	const database = records(env, shard);
	const pageRows = Number(env.EXPORT_PAGE_ROWS) || 5000;
	const [pages, groupColumns] = await Promise.all([
		exportPages(database, type, tenantId, filter, pageRows),
		format === "csv" ? exportGroupColumns(database, type, tenantId, filter) : [],
	]);
	const header = format === "csv" ? csvHeader(type, groupColumns) : [];
	if (header.length > MAX_CSV_COLUMNS) {
		throw new ApiError(
			"VALIDATION_ERROR",
			`These ${type} would need ${header.length} CSV columns and an import reads at most ${MAX_CSV_COLUMNS}; export them as NDJSON`,
			[{ path: "format", message: `more than ${MAX_CSV_COLUMNS} columns` }],
		);
	}
	const id = randomId("job");
	const total = pages.reduce((n, p) => n + p.records, 0);
	// A CSV file's first line is its header; the pages' lines follow.
	let line = format === "csv" ? 2 : 1;
	const chunks = pages.map((p) => {
		const chunk = { firstLine: line, records: p.records };
		line += p.records;
		return chunk;
	});
	const spec: JobSpec = {
		id,
		tenantId,
		type: `${type}.export`,
		description: `Export of ${total} ${type} as ${format === "csv" ? "CSV" : "NDJSON"}`,
		recordType: type,
		format,
		origin: "file",
		options: ImportOptions.parse({}),
		step: "export",
		total,
		chunks,
		...author(),
	};
	await beginIntake(env, tenantId, id);
	try {
		await env.FILES.put(exportPlanKey(id), JSON.stringify({ type, format, filter, header, pages }));
		const job = orRefuse<Job>(await tenantObject(env, tenantId).submitJob(spec, "queue"));
		await endIntake(env, id);
		return job;
	} catch (error) {
		// The job may have been stored before the answer was lost; only a job that surely does not exist is cleaned up.
		if (
			(await tenantObject(env, tenantId)
				.getJob(id)
				.catch(() => true)) === undefined
		) {
			await deleteEveryJobFile(env, id);
		}
		throw error;
	}
}

/** The completed export's file: the CSV header, then its parts in order, each read from R2 as it is sent. */
export async function exportFile(env: Env, tenantId: string, id: string) {
	const job = await findJob(env, tenantId, id);
	if (!isExportJob(job.type)) throw new ApiError("NOT_FOUND", `Job ${id} is not an export`);
	if (job.status !== "completed") {
		throw new ApiError("CONFLICT", `Export ${id} is ${job.status}; its file is there once it has completed`);
	}
	const plan = await readExportPlan(env, id);
	if (!plan) throw new ApiError("NOT_FOUND", `Export ${id} no longer exists`);
	const encoder = new TextEncoder();
	let page = -1;
	let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
	const body = new ReadableStream<Uint8Array>({
		async pull(controller) {
			for (;;) {
				if (!reader) {
					if (page === -1 && plan.format === "csv") controller.enqueue(encoder.encode(headerLine(plan.header)));
					page++;
					if (page >= plan.pages.length) return controller.close();
					const part = await env.FILES.get(exportPartKey(id, page));
					if (!part) return controller.error(new Error(`Part ${page} of export ${id} is missing`));
					reader = part.body.getReader();
				}
				const { done, value } = await reader.read();
				if (!done) return controller.enqueue(value);
				reader = undefined;
			}
		},
	});
	return { body, format: plan.format, type: plan.type };
}
