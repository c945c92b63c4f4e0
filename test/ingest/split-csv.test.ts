import { describe, expect, it } from "vitest";
import { KINDS } from "../../src/db/writes/kinds";
import { mapCsvHeader } from "../../src/ingest/csv";
import { MAX_LINE_BYTES } from "../../src/ingest/lines";
import { splitIntoChunks } from "../../src/ingest/split";
import { collect, csvLines, PIECE_SIZES, piecesOf, split, textOf } from "./streams";

const csv = { format: "csv" } as const;
const { columns } = mapCsvHeader("externalId,firstName,email", KINDS.users);

describe("splitting CSV into chunks", () => {
	it("the header row goes to onHeader with its BOM stripped, not into any chunk", async () => {
		for (const size of PIECE_SIZES) {
			const { chunks, header } = await split("\uFEFFexternalId,email\r\nu1,a@x.io\r\n", size, csv);
			expect(header).toEqual({ text: "externalId,email", line: 1 });
			expect(chunks.map((c) => [c.firstLine, c.records, textOf(c)])).toEqual([[2, 1, "u1,a@x.io\r\n"]]);
		}
	});

	it("a header spanning lines moves the first chunk's line down", async () => {
		const { chunks, header } = await split('externalId,"first\nName"\nu1,Ada\n', 2, csv);
		expect(header).toEqual({ text: 'externalId,"first\nName"', line: 1 });
		expect(chunks.map((c) => c.firstLine)).toEqual([3]);
	});

	it("a quoted newline does not split a CSV record", async () => {
		const input = 'externalId,firstName,email\nu1,"Ada\r\n""the first""\n\nLovelace",a@x.io\nu2,Zoë 😀,b@x.io\n';
		for (const size of PIECE_SIZES) {
			const { chunks } = await split(input, size, { ...csv, maxChunkRecords: 1 });
			expect(chunks.map((c) => [c.firstLine, c.records])).toEqual([
				[2, 1],
				[6, 1],
			]);
			expect(csvLines(chunks, columns).map((l) => [l.line, l.value?.firstName])).toEqual([
				[2, 'Ada\r\n"the first"\n\nLovelace'],
				[6, "Zoë 😀"],
			]);
		}
	});

	it("line numbers stay exact across blank lines, CRLF and multi-line records", async () => {
		const input =
			'externalId,firstName,email\r\n\r\nu1,"A\r\nB",a@x.io\r\n\r\n\r\nu2,C,b@x.io\r\nu3,"D\nE\nF",c@x.io\r\nu4,G,d@x.io';
		for (const size of PIECE_SIZES) {
			const { chunks } = await split(input, size, { ...csv, maxChunkRecords: 2 });
			expect(chunks.map((c) => [c.firstLine, c.records])).toEqual([
				[3, 2],
				[8, 2],
			]);
			expect(csvLines(chunks, columns).map((l) => [l.line, l.value?.externalId])).toEqual([
				[3, "u1"],
				[7, "u2"],
				[8, "u3"],
				[11, "u4"],
			]);
		}
	});

	it("an unclosed quote names the line where its field started", async () => {
		const input = 'externalId,firstName,email\nu1,Ada,a@x.io\nu2,"Bob ""the\nbuilder"" \n\nu3,Cy,c@x.io\n';
		for (const size of PIECE_SIZES) {
			await expect(split(input, size, csv)).rejects.toMatchObject({
				code: "VALIDATION_ERROR",
				message: expect.stringContaining("unclosed quote starting on line 3"),
			});
			await expect(split('"externalId,email\nu1,a@x.io\n', size, csv)).rejects.toMatchObject({
				message: "CSV has an unclosed quote starting on line 1",
			});
		}
	});

	it("a header row that is not UTF-8 stops the import; its BOM and real characters do not", async () => {
		const latin1 = new Uint8Array([
			...new TextEncoder().encode("externalId,Pr"),
			0xe9,
			...new TextEncoder().encode("nom\nu1,x\n"),
		]);
		for (const size of PIECE_SIZES) {
			await expect(split(latin1, size, csv)).rejects.toMatchObject({
				code: "VALIDATION_ERROR",
				message: "The CSV header row is not valid UTF-8",
			});
			expect((await split("\uFEFFexternalId,custom.Prénom\nu1,x\n", size, csv)).header?.text).toBe(
				"externalId,custom.Prénom",
			);
		}
	});

	it("a CSV record over 1 MiB stops the import naming its line", async () => {
		const long = `externalId,firstName,email\nu1,Ada,a@x.io\nu2,${"x".repeat(MAX_LINE_BYTES)},b@x.io\n`;
		await expect(split(long, 65_536, csv)).rejects.toMatchObject({
			code: "VALIDATION_ERROR",
			message: "CSV record starting on line 3 exceeds 1 MiB",
		});
		const unclosed = `externalId,firstName,email\nu1,"Ada,a@x.io\n${"u2,Bob,b@x.io\n".repeat(80_000)}`;
		await expect(split(unclosed, 65_536, csv)).rejects.toMatchObject({
			message: "CSV record starting on line 2 exceeds 1 MiB (unclosed quote starting on line 2?)",
		});
	});

	it("an empty CSV gives no header and no chunks; a header alone gives no chunks", async () => {
		expect(await split("", 1, csv)).toEqual({ chunks: [], header: undefined });
		expect(await split("\r\n\n", 1, csv)).toEqual({ chunks: [], header: undefined });
		expect(await split("\n\nexternalId,email\r\n\r\n", 1, csv)).toEqual({
			chunks: [],
			header: { text: "externalId,email", line: 3 },
		});
	});

	it("a header that onHeader rejects errors the stream before any chunk", async () => {
		const chunks: unknown[] = [];
		const stream = piecesOf("externalId,shoeSize\nu1,44\n", 4).pipeThrough(
			splitIntoChunks({
				...csv,
				maxChunkBytes: 1000,
				maxChunkRecords: 10,
				onHeader: (text) => mapCsvHeader(text, KINDS.users),
			}),
		);
		const recorded = stream.pipeThrough(new TransformStream({ transform: (chunk) => void chunks.push(chunk) }));
		await expect(collect(recorded)).rejects.toMatchObject({
			code: "VALIDATION_ERROR",
			message: 'Unknown CSV column(s): "shoeSize"',
		});
		expect(chunks).toEqual([]);
	});
});
