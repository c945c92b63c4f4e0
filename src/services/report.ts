import type { Db } from "../db/client";
import { type ErrorRow, errorPage } from "../db/queries/jobs";
import type { FileFormat } from "../schemas/common";
import type { JobOrigin } from "../schemas/jobs";

/** Spec §13: an error row keeps at most this many UTF-8 bytes of the record it reports. */
export const MAX_STORED_RECORD = 64 * 1024;
const encoder = new TextEncoder();
const storedBytes = new Uint8Array(MAX_STORED_RECORD);

/**
 * What an error row keeps of a failed record: all of it up to 64 KiB, else its first 64 KiB, cut
 * between characters. A 1 MiB line of control characters would otherwise be stored, escaped in
 * the batch's JSON parameter, as several MB: over D1's 2 MB value limit.
 */
export function storedRecord(raw: string): { raw: string; truncated: boolean } {
	// Quick path: a UTF-16 unit is at most 3 UTF-8 bytes.
	if (raw.length * 3 <= MAX_STORED_RECORD) return { raw, truncated: false };
	const { read } = encoder.encodeInto(raw, storedBytes);
	return read < raw.length ? { raw: raw.slice(0, read), truncated: true } : { raw, truncated: false };
}

/** A job's error rows in line (or index) order, a page of 1,000 at a time. */
export async function* errorPages(database: Db, jobId: string): AsyncGenerator<ErrorRow[]> {
	let after = -1;
	for (;;) {
		const rows = await errorPage(database, jobId, after, 1000);
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

export const csvCell = (value: string) => quoteCsv(neutralize(value));
const CUT_NOTE = " (record cut to its first 64 KiB)";

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
			if (!started && format === "csv") text = `${refName},code,field,column,error,record\r\n`;
			started = true;
			const { done, value } = await iterator.next();
			if (done) {
				if (text) controller.enqueue(encoder.encode(text));
				controller.close();
				return;
			}
			for (const row of value) {
				const error = row.truncated ? row.error + CUT_NOTE : row.error;
				const cells = [row.field ?? "", row.column ?? "", error, row.raw ?? ""].map(csvCell);
				text +=
					format === "csv"
						? `${row.ref},${row.code},${cells.join(",")}\r\n`
						: `${JSON.stringify({
								[refName]: row.ref,
								code: row.code,
								...(row.field === null ? {} : { field: row.field }),
								...(row.column === null ? {} : { column: row.column }),
								error: row.error,
								record: origin === "json" && !row.truncated ? original(row.raw) : row.raw,
								...(row.truncated ? { truncated: true } : {}),
							})}\n`;
			}
			controller.enqueue(encoder.encode(text));
		},
	});
}
