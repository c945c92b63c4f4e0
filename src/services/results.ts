import type { Db } from "../db/client";
import { resultsPage } from "../db/queries/jobs";
import type { FileFormat } from "../schemas/common";
import type { JobOrigin } from "../schemas/jobs";
import { csvCell } from "./report";

/** The NDJSON results of a job's written chunks in input order, one chunk's text at a time. */
async function* resultTexts(env: Env, database: Db, jobId: string): AsyncGenerator<string> {
	let after = -1;
	for (;;) {
		const rows = await resultsPage(database, jobId, after, 100);
		if (rows.length === 0) return;
		for (const { key } of rows) {
			const object = key ? await env.FILES.get(key) : null;
			if (object) yield await object.text();
		}
		after = rows[rows.length - 1]!.chunk;
	}
}

const COLUMNS = ["externalId", "email", "outcome", "code", "field", "error", "changes"] as const;

/** A cell's text: a preview's (or an undo's) `changes` object as its JSON. */
const cellText = (value: unknown) =>
	value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);

function csvRows(text: string, refName: string): string {
	let out = "";
	for (const line of text.split("\n")) {
		if (!line) continue;
		const row = JSON.parse(line) as Record<string, unknown>;
		out += `${[row[refName], ...COLUMNS.map((c) => csvCell(cellText(row[c])))].join(",")}\r\n`;
	}
	return out;
}

/**
 * Every record's outcome as NDJSON or CSV, chunk by chunk: the chunks written so far while the job
 * runs (a chunk not yet written is left out, the later ones follow), all of them once it has ended.
 */
export function resultsReport(env: Env, database: Db, jobId: string, format: FileFormat, origin: JobOrigin) {
	const refName = origin === "json" ? "index" : "line";
	const encoder = new TextEncoder();
	const texts = resultTexts(env, database, jobId);
	let started = false;
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			let text = !started && format === "csv" ? `${[refName, ...COLUMNS].join(",")}\r\n` : "";
			started = true;
			const { done, value } = await texts.next();
			if (!done) text += format === "csv" ? csvRows(value, refName) : value;
			if (text) controller.enqueue(encoder.encode(text));
			if (done) controller.close();
		},
	});
}
