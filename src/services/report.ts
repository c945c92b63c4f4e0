import { db } from "../db/client";
import { type ErrorRow, errorPage } from "../db/queries/jobs";
import type { FileFormat } from "../schemas/common";
import type { JobOrigin } from "../schemas/jobs";

/** A job's error rows in line (or index) order, a page of 1,000 at a time. */
export async function* errorPages(env: Env, jobId: string): AsyncGenerator<ErrorRow[]> {
	let after = -1;
	for (;;) {
		const rows = await errorPage(db(env), jobId, after, 1000);
		if (rows.length === 0) return;
		yield rows;
		after = rows[rows.length - 1]!.ref;
	}
}

/** A spreadsheet must not run a cell as a formula: such cells get a leading apostrophe. */
function neutralize(cell: string): string {
	return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export function quoteCsv(text: string): string {
	return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvCell = (value: string) => quoteCsv(neutralize(value));

/** The record as received: JSON records back as JSON, anything else (CSV rows, broken lines) as text. */
function original(raw: string | null): unknown {
	if (raw === null) return null;
	try {
		return JSON.parse(raw);
	} catch {
		return raw;
	}
}

/** Streams a job's error rows as NDJSON or CSV, page by page, never holding the whole report. */
export function errorReport(
	pages: AsyncIterable<ErrorRow[]>,
	format: FileFormat,
	origin: JobOrigin,
): ReadableStream<Uint8Array> {
	const refName = origin === "json" ? "index" : "line";
	const encoder = new TextEncoder();
	const iterator = pages[Symbol.asyncIterator]();
	let started = false;
	return new ReadableStream({
		async pull(controller) {
			let text = "";
			if (!started && format === "csv") text = `${refName},code,error,record\r\n`;
			started = true;
			const { done, value } = await iterator.next();
			if (done) {
				if (text) controller.enqueue(encoder.encode(text));
				controller.close();
				return;
			}
			for (const row of value) {
				text +=
					format === "csv"
						? `${row.ref},${row.code},${csvCell(row.error)},${csvCell(row.raw ?? "")}\r\n`
						: `${JSON.stringify({ [refName]: row.ref, code: row.code, error: row.error, record: origin === "json" ? original(row.raw) : row.raw })}\n`;
			}
			controller.enqueue(encoder.encode(text));
		},
	});
}
