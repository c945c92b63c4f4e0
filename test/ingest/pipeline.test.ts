import { describe, expect, it } from "vitest";
import { KINDS } from "../../src/db/writes/kinds";
import { mapCsvHeader } from "../../src/ingest/csv";
import { decodeBody } from "../../src/ingest/decode";
import { type SplitOptions, splitIntoChunks } from "../../src/ingest/split";
import type { ColumnTarget } from "../../src/schemas/jobs";
import { collect, csvLines, ndjsonLines, piecesOf } from "./streams";

async function gzipped(text: string): Promise<Uint8Array> {
	const stream = piecesOf(text, 1000).pipeThrough(new CompressionStream("gzip"));
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function importFile(text: string, opts: Pick<SplitOptions, "format" | "onHeader">) {
	const body = piecesOf(await gzipped(text), 97);
	const decoded = decodeBody(body, { encoding: "gzip", maxBytes: 10_000_000 });
	return collect(decoded.pipeThrough(splitIntoChunks({ ...opts, maxChunkBytes: 4096, maxChunkRecords: 50 })));
}

describe("a gzipped file from body to parsed records", () => {
	it("NDJSON: every record once, in order, with its line number", async () => {
		const rows = Array.from(
			{ length: 500 },
			(_, i) => (i % 7 === 3 ? "\r\n" : "") + JSON.stringify({ externalId: `u${i}`, firstName: "Zoë" }),
		);
		const chunks = await importFile(`${rows.join("\r\n")}\r\n`, { format: "ndjson" });
		expect(chunks.length).toBeGreaterThanOrEqual(10);
		expect(chunks.every((c) => c.records <= 50 && c.bytes.length <= 4096)).toBe(true);
		expect(chunks.reduce((sum, c) => sum + c.records, 0)).toBe(500);
		const lines = ndjsonLines(chunks);
		expect(lines.map((l) => l.value?.externalId)).toEqual(rows.map((_, i) => `u${i}`));
		let line = 0;
		for (const [i, row] of rows.entries()) {
			line += row.startsWith("\r\n") ? 2 : 1;
			expect(lines[i]!.line).toBe(line);
		}
	});

	it("CSV: the header is checked first and records spanning lines keep their first line", async () => {
		const rows = Array.from({ length: 300 }, (_, i) => `u${i},"Zoë\r\n${i}",u${i}@x.io`);
		let columns: ColumnTarget[] = [];
		const chunks = await importFile(`\uFEFFuser_id,First_Name,email\r\n${rows.join("\r\n")}`, {
			format: "csv",
			onHeader: (text) => ({ columns } = mapCsvHeader(text, KINDS.users)),
		});
		expect(chunks.reduce((sum, c) => sum + c.records, 0)).toBe(300);
		const lines = csvLines(chunks, columns);
		expect(lines.map((l) => [l.line, l.value?.externalId, l.value?.firstName])).toEqual(
			rows.map((_, i) => [2 + 2 * i, `u${i}`, `Zoë\r\n${i}`]),
		);
	});
});
