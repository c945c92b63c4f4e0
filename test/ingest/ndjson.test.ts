import { describe, expect, it } from "vitest";
import { parseNdjsonChunk } from "../../src/ingest/ndjson";
import { bytesOf } from "./streams";

const parse = (input: string | Uint8Array, firstLine = 1) => [...parseNdjsonChunk(bytesOf(input), firstLine)];

describe("parsing an NDJSON chunk", () => {
	it("numbers lines from the chunk's first line, skipping blank ones and stripping CR", () => {
		const lines = parse('{"a":1}\r\n\r\n  \n{"b":"x\\r"}\r\n\t\n{"c":3}', 40);
		expect(lines).toEqual([
			{ line: 40, raw: '{"a":1}', value: { a: 1 } },
			{ line: 43, raw: '{"b":"x\\r"}', value: { b: "x\r" } },
			{ line: 45, raw: '{"c":3}', value: { c: 3 } },
		]);
	});

	it("tolerates a BOM on the first line of a file", () => {
		expect(parse('\uFEFF{"a":1}\n{"b":2}\n')).toEqual([
			{ line: 1, raw: '{"a":1}', value: { a: 1 } },
			{ line: 2, raw: '{"b":2}', value: { b: 2 } },
		]);
	});

	it("a line that is not valid JSON fails alone with a short reason", () => {
		const lines = parse('{"a":1}\n{"b":\n{"c":3}\n');
		expect(lines.map((l) => l.value ?? l.error)).toEqual([
			{ a: 1 },
			expect.stringMatching(/^line is not valid JSON: \S/),
			{ c: 3 },
		]);
		expect(lines[1]).toMatchObject({ line: 2, raw: '{"b":' });
	});

	it("a line that is valid JSON but not an object fails alone", () => {
		const lines = parse('[1,2]\n"text"\n42\nnull\ntrue\n{"ok":true}\n');
		expect(lines.map((l) => l.error)).toEqual([...Array(5).fill("line is not a JSON object"), undefined]);
	});

	it("a line that is not valid UTF-8 fails alone, with a lossy raw text", () => {
		const bytes = new Uint8Array([...bytesOf('{"a":"ok"}\n{"b":"'), 0xc3, 0x28, ...bytesOf('"}\n{"c":"ü"}\n')]);
		expect(parse(bytes)).toEqual([
			{ line: 1, raw: '{"a":"ok"}', value: { a: "ok" } },
			{ line: 2, raw: '{"b":"\uFFFD("}', error: "line is not valid UTF-8" },
			{ line: 3, raw: '{"c":"ü"}', value: { c: "ü" } },
		]);
	});

	it("an empty chunk has no records", () => {
		expect(parse("")).toEqual([]);
	});
});
