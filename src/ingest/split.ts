import { ApiError } from "../errors";
import type { FileFormat } from "../schemas/common";
import { concat, isBlank, MAX_LINE_BYTES, OVERSIZE_MARK } from "./lines";
import { RecordScanner } from "./scan";

export type Chunk = {
	index: number;
	/** 1-based physical line of the chunk's first byte in the file. */
	firstLine: number;
	records: number;
	bytes: Uint8Array;
};

export type SplitOptions = {
	format: FileFormat;
	maxChunkBytes: number;
	maxChunkRecords: number;
	/** CSV: receives the header row (UTF-8, BOM stripped) before any chunk; throw to reject the file. */
	onHeader?: (text: string, line: number) => void;
};

const LF = 10;
const CR = 13;
const QUOTE = 34;
const HEAD_BYTES = 200;
const EMPTY: Uint8Array = new Uint8Array(0);
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Splits a byte stream at record boundaries into chunks of whole records, without decoding.
 * Blank lines are kept inside chunks (so line numbers can be recounted) but not counted as records.
 * An empty or blank-only CSV gives no header and no chunks: like an empty NDJSON file it is a
 * job with nothing to import, and a file with a header is what onHeader's caller validates.
 */
export function splitIntoChunks(opts: SplitOptions): TransformStream<Uint8Array, Chunk> {
	let splitter: Splitter;
	return new TransformStream({
		start: (controller) => {
			splitter = new Splitter(opts, (chunk) => controller.enqueue(chunk));
		},
		transform: (piece) => splitter.push(piece),
		flush: () => splitter.end(),
	});
}

class Splitter {
	private readonly scan: RecordScanner<number>;
	private readonly csv: boolean;
	private headerPending: boolean;
	private index = 0;
	// The open chunk: views of earlier pieces, then piece[runStart, ...) of the current one.
	private parts: Uint8Array[] = [];
	private bytes = 0;
	private records = 0;
	private firstLine = 1;
	private piece = EMPTY;
	private runStart = 0;
	private lastByte = -1;
	// The record being read: recParts are its views of earlier pieces, then piece[recStart, ...).
	private recParts: Uint8Array[] = [];
	private recBytes = 0;
	private recStart = 0;
	private recLine = 1;
	private recBlank = true;
	/** The first bytes of an NDJSON line found to be oversize; the rest is not kept. */
	private recHead: Uint8Array | null = null;

	constructor(
		private readonly opts: SplitOptions,
		private readonly emit: (chunk: Chunk) => void,
	) {
		this.csv = opts.format === "csv";
		this.headerPending = this.csv;
		this.scan = new RecordScanner(LF, this.csv ? QUOTE : null);
	}

	push(piece: Uint8Array): void {
		this.piece = piece;
		this.runStart = this.recStart = 0;
		this.scan.begin(piece);
		for (let nl = this.scan.next(piece, 0); nl !== -1; nl = this.scan.next(piece, nl + 1)) {
			this.closeRecord(nl + 1, true);
		}
		if (this.runStart < this.recStart) this.parts.push(piece.subarray(this.runStart, this.recStart));
		const tail = piece.subarray(this.recStart);
		this.recBlank &&= isBlank(tail, 0, tail.length);
		this.recBytes += tail.length;
		if (this.recHead === null && tail.length > 0) this.recParts.push(tail);
		if (piece.length > 0) this.lastByte = piece[piece.length - 1]!;
		// One byte of slack: a trailing CR is not part of the line.
		if (this.recBytes > MAX_LINE_BYTES + 1) this.overflow();
	}

	end(): void {
		if (this.scan.inQuote) {
			throw new ApiError("VALIDATION_ERROR", `CSV has an unclosed quote starting on line ${this.scan.quoteLine}`);
		}
		this.piece = EMPTY;
		this.runStart = this.recStart = 0;
		if (this.recBytes > 0) this.closeRecord(0, false);
		if (this.records > 0) this.emitChunk(0);
	}

	/** The current record ends at piece[end) (after its newline, if it has one). */
	private closeRecord(end: number, newline: boolean): void {
		const stop = newline ? end - 1 : end;
		const len = this.recBytes + end - this.recStart;
		const cr = stop - 1 >= this.recStart ? this.piece[stop - 1] === CR : this.recBytes > 0 && this.lastByte === CR;
		const content = len - (newline ? 1 : 0) - (cr ? 1 : 0);
		const line = this.recLine;
		if (newline) this.scan.line++;
		if (this.recBlank && isBlank(this.piece, this.recStart, stop)) this.addBlank(end, len);
		else if (this.csv && content > MAX_LINE_BYTES) throw this.tooLong();
		else if (this.headerPending) this.takeHeader(end, stop, line);
		else this.addRecord(end, stop, len, content > MAX_LINE_BYTES, line);
		this.recParts = [];
		this.recBytes = 0;
		this.recStart = end;
		this.recLine = this.scan.line;
		this.recBlank = true;
		this.recHead = null;
	}

	private addBlank(end: number, len: number): void {
		if (this.records === 0) {
			this.restart(end, this.scan.line);
			return;
		}
		if (this.bytes + len > this.opts.maxChunkBytes) {
			this.emitChunk(this.recStart);
			this.restart(end, this.scan.line);
			return;
		}
		this.keepRecordParts();
		this.bytes += len;
	}

	private takeHeader(end: number, stop: number, line: number): void {
		let text: string;
		try {
			text = strictUtf8.decode(concat([...this.recParts, this.piece.subarray(this.recStart, stop)]));
		} catch {
			throw new ApiError("VALIDATION_ERROR", "The CSV header row is not valid UTF-8");
		}
		this.headerPending = false;
		this.opts.onHeader?.(text.endsWith("\r") ? text.slice(0, -1) : text, line);
		this.restart(end, this.scan.line);
	}

	private addRecord(end: number, stop: number, len: number, tooLong: boolean, line: number): void {
		const oversize = this.recHead !== null || tooLong;
		const marker = oversize ? this.oversizeMarker(stop) : null;
		const size = marker?.length ?? len;
		const { maxChunkBytes, maxChunkRecords } = this.opts;
		if (this.records > 0 && (this.bytes + size > maxChunkBytes || this.records >= maxChunkRecords)) {
			this.emitChunk(this.recStart);
			this.restart(this.recStart, line);
		}
		if (marker) {
			if (this.runStart < this.recStart) this.parts.push(this.piece.subarray(this.runStart, this.recStart));
			this.parts.push(marker);
			this.runStart = end;
		} else this.keepRecordParts();
		this.bytes += size;
		this.records++;
	}

	private oversizeMarker(stop: number): Uint8Array {
		const head = this.recHead ?? concat([...this.recParts, this.piece.subarray(this.recStart, stop)], HEAD_BYTES);
		return concat([OVERSIZE_MARK, head, Uint8Array.of(LF)]);
	}

	private overflow(): void {
		if (this.csv) throw this.tooLong();
		this.recHead ??= concat(this.recParts, HEAD_BYTES);
		this.recParts = [];
	}

	private tooLong(): ApiError {
		const hint = this.scan.inQuote ? ` (unclosed quote starting on line ${this.scan.quoteLine}?)` : "";
		return new ApiError("VALIDATION_ERROR", `CSV record starting on line ${this.recLine} exceeds 1 MiB${hint}`);
	}

	private keepRecordParts(): void {
		// A loop, not push(...parts): a record read in many tiny pieces would overflow the argument list.
		for (const part of this.recParts) this.parts.push(part);
	}

	private restart(at: number, firstLine: number): void {
		this.parts = [];
		this.bytes = 0;
		this.records = 0;
		this.runStart = at;
		this.firstLine = firstLine;
	}

	private emitChunk(upTo: number): void {
		if (this.runStart < upTo) this.parts.push(this.piece.subarray(this.runStart, upTo));
		const bytes = this.parts.length === 1 ? this.parts[0]! : concat(this.parts);
		this.emit({ index: this.index++, firstLine: this.firstLine, records: this.records, bytes });
	}
}
