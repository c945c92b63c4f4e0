import { describe, expect, it } from "vitest";
import { MAX_LINE_BYTES } from "../../src/ingest/lines";
import { splitIntoChunks } from "../../src/ingest/split";
import { bytesOf, collect, ndjsonLines, PIECE_SIZES, piecesOf, split, textOf } from "./streams";

const record = (i: number) => JSON.stringify({ externalId: `u${i}`, firstName: "Zoë 😀" });
const file = (n: number, eol = "\n") => Array.from({ length: n }, (_, i) => record(i) + eol).join("");

describe("splitting NDJSON into chunks", () => {
	it("chunks are whole records in file order whatever the input pieces", async () => {
		const input = file(40, "\r\n");
		for (const size of PIECE_SIZES) {
			const { chunks } = await split(input, size, { maxChunkRecords: 7 });
			expect(chunks.map(textOf).join("")).toBe(input);
			expect(chunks.map((c) => c.records)).toEqual([7, 7, 7, 7, 7, 5]);
			expect(chunks.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5]);
			expect(chunks.map((c) => c.firstLine)).toEqual([1, 8, 15, 22, 29, 36]);
			for (const chunk of chunks) expect(textOf(chunk)).toMatch(/^\{.*\}\r\n$/s);
		}
	});

	it("a chunk closes before the record that would pass maxChunkBytes", async () => {
		const line = `${record(0)}\n`;
		const bytes = new TextEncoder().encode(line).length;
		const { chunks } = await split(line.repeat(10), 5, { maxChunkBytes: bytes * 3 + 1 });
		expect(chunks.map((c) => c.records)).toEqual([3, 3, 3, 1]);
		expect(chunks.every((c) => c.bytes.length <= bytes * 3 + 1)).toBe(true);
	});

	it("a record larger than maxChunkBytes gets a chunk of its own", async () => {
		const big = JSON.stringify({ externalId: "big", note: "x".repeat(500) });
		const { chunks } = await split(`{"a":1}\n${big}\n{"b":2}\n`, 64, { maxChunkBytes: 100 });
		expect(chunks.map(textOf)).toEqual(['{"a":1}\n', `${big}\n`, '{"b":2}\n']);
	});

	it("blank lines are not records but keep line numbers exact", async () => {
		const input = `\n\r\n  \n${record(1)}\r\n\n\t\r\n${record(2)}\n\n${record(3)}\n\n\n`;
		for (const size of PIECE_SIZES) {
			const { chunks } = await split(input, size, { maxChunkRecords: 2 });
			expect(chunks.map((c) => [c.firstLine, c.records])).toEqual([
				[4, 2],
				[9, 1],
			]);
			expect(ndjsonLines(chunks).map((l) => [l.line, l.value?.externalId])).toEqual([
				[4, "u1"],
				[7, "u2"],
				[9, "u3"],
			]);
		}
	});

	it("leading blank lines that fill a chunk are dropped, not sent as an empty chunk", async () => {
		const { chunks } = await split("\n".repeat(50) + record(1), 3, { maxChunkBytes: 10 });
		expect(chunks.map((c) => [c.firstLine, c.records, textOf(c)])).toEqual([[51, 1, record(1)]]);
	});

	it("an empty or blank-only body gives no chunks", async () => {
		for (const input of ["", "\n", "\r\n \n\t"]) expect((await split(input, 1)).chunks).toEqual([]);
	});

	it("a last line without a newline is still a record", async () => {
		for (const size of PIECE_SIZES) {
			const { chunks } = await split(`${record(1)}\n${record(2)}`, size);
			expect(chunks.map((c) => c.records)).toEqual([2]);
			expect(ndjsonLines(chunks).map((l) => l.line)).toEqual([1, 2]);
		}
	});

	it("a line over 1 MiB is not buffered and fails alone while its neighbours parse", async () => {
		const huge = JSON.stringify({ externalId: "huge", note: "é".repeat(MAX_LINE_BYTES) });
		const input = `${record(1)}\n${huge}\r\n${record(3)}\n`;
		for (const size of [65_536, 1 << 24]) {
			const { chunks } = await split(input, size);
			expect(chunks.reduce((sum, c) => sum + c.bytes.length, 0)).toBeLessThan(2000);
			const lines = ndjsonLines(chunks);
			expect(lines.map((l) => [l.line, l.error ?? l.value?.externalId])).toEqual([
				[1, "u1"],
				[2, "line exceeds 1 MiB"],
				[3, "u3"],
			]);
			expect(lines[1]!.raw).toBe(huge.slice(0, lines[1]!.raw.length));
			expect(lines[1]!.raw.length).toBeGreaterThan(90);
		}
	});

	it("a line of exactly 1 MiB, CRLF-terminated or last, is not oversize", async () => {
		const exact = JSON.stringify({ note: "x".repeat(MAX_LINE_BYTES - 11) });
		expect(exact.length).toBe(MAX_LINE_BYTES);
		for (const input of [`${exact}\r\n{}\n`, `{}\n${exact}`]) {
			const lines = ndjsonLines((await split(input, 65_536)).chunks);
			expect(lines.map((l) => l.error)).toEqual([undefined, undefined]);
		}
		const over = ndjsonLines((await split(`${exact} \r\n{}`, 65_536)).chunks);
		expect(over.map((l) => l.error)).toEqual(["line exceeds 1 MiB", undefined]);
	});

	it("does not decode: invalid UTF-8 passes through to the line that holds it", async () => {
		const bytes = new Uint8Array([...bytesOf('{"a":1}\n{"b":"'), 0xff, 0xfe, ...bytesOf('"}\n{"c":3}\n')]);
		const splitter = splitIntoChunks({ format: "ndjson", maxChunkBytes: 1000, maxChunkRecords: 10 });
		const chunks = await collect(piecesOf(bytes, 3).pipeThrough(splitter));
		expect(chunks[0]!.bytes).toEqual(bytes);
		expect(ndjsonLines(chunks).map((l) => l.error)).toEqual([undefined, "line is not valid UTF-8", undefined]);
	});
});
