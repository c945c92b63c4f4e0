import { parseCsvChunk } from "../../src/ingest/csv";
import type { ParsedLine } from "../../src/ingest/lines";
import { parseNdjsonChunk } from "../../src/ingest/ndjson";
import { type Chunk, type SplitOptions, splitIntoChunks } from "../../src/ingest/split";
import type { ColumnTarget } from "../../src/schemas/jobs";

const encoder = new TextEncoder();

export function bytesOf(input: string | Uint8Array): Uint8Array {
	return typeof input === "string" ? encoder.encode(input) : input;
}

/** A stream of the input's bytes cut every `size` bytes, through characters, CRLFs and quotes alike. */
export function piecesOf(input: string | Uint8Array, size: number): ReadableStream<Uint8Array> {
	const bytes = bytesOf(input);
	let at = 0;
	return new ReadableStream({
		pull(controller) {
			if (at >= bytes.length) return controller.close();
			controller.enqueue(bytes.slice(at, at + size));
			at += size;
		},
	});
}

export async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
	const out: T[] = [];
	for await (const item of stream) out.push(item);
	return out;
}

type Split = Omit<SplitOptions, "onHeader">;
const LOOSE: Split = { format: "ndjson", maxChunkBytes: 1 << 20, maxChunkRecords: 1000 };

/** Splits input sent in pieces of `size` bytes; returns the chunks and the CSV header seen. */
export async function split(input: string | Uint8Array, size: number, opts: Partial<Split> = {}) {
	let header: { text: string; line: number } | undefined;
	const stream = piecesOf(input, size).pipeThrough(
		splitIntoChunks({ ...LOOSE, ...opts, onHeader: (text, line) => (header = { text, line }) }),
	);
	const chunks = await collect(stream);
	return { chunks, header };
}

export function textOf(chunk: Chunk): string {
	return new TextDecoder().decode(chunk.bytes);
}

export function ndjsonLines(chunks: Chunk[]): ParsedLine[] {
	return chunks.flatMap((chunk) => [...parseNdjsonChunk(chunk.bytes, chunk.firstLine)]);
}

export function csvLines(chunks: Chunk[], columns: ColumnTarget[]): ParsedLine[] {
	return chunks.flatMap((chunk) => [...parseCsvChunk(textOf(chunk), columns, chunk.firstLine)]);
}

/** Piece sizes that cut inputs at every kind of awkward place, and one that keeps them whole. */
export const PIECE_SIZES = [1, 2, 3, 5, 7, 64, 1 << 20];
