import { getMultipartBoundary, MultipartPart } from "@mjackson/multipart-parser";
import { ApiError } from "../errors";
import { concat } from "./lines";

/**
 * The file a multipart/form-data body carries in its `file` field, its bytes streamed, and the
 * text fields asked for that came before it.
 */
export type MultipartFile = {
	filename?: string;
	mediaType?: string;
	body: ReadableStream<Uint8Array>;
	fields: Record<string, string>;
};

const FIELD = "file";
const MAX_HEADER_BYTES = 8 * 1024;
const MAX_TEXT_FIELD_BYTES = 64 * 1024;
const CRLF = new Uint8Array([13, 10]);
const HEADER_END = new Uint8Array([13, 10, 13, 10]);
const DASHES = new Uint8Array([45, 45]);

const invalid = (message: string) => new ApiError("VALIDATION_ERROR", `Invalid multipart body: ${message}`);

/**
 * Finds the `file` field of a multipart/form-data body and streams its content, so memory stays
 * flat whatever the file's size (the runtime's formData() and the multipart parser's parts hold a
 * part whole). Parts are found by their boundary; each part's headers are read by the parser's
 * MultipartPart. Other fields are skipped as they stream by. The file's stream ends only once the
 * body is seen to end with its closing boundary, so a cut body errors instead of importing a
 * truncated file. Malformed bodies (no boundary, no opening boundary, cut short, no file) are a 400.
 * `textFields` (up to 64 KiB each) are read only before the file: the file is streamed as it
 * comes, so one of them after it would come too late, and is a 400.
 */
export async function multipartFile(
	source: ReadableStream<Uint8Array>,
	contentType: string,
	textFields: readonly string[] = [],
): Promise<MultipartFile> {
	const boundary = getMultipartBoundary(contentType);
	if (!boundary) throw invalid("the Content-Type has no boundary");
	const scanner = new PartScanner(source, boundary, textFields);
	const fields: Record<string, string> = {};
	for (;;) {
		const part = await scanner.nextPart();
		if (!part) throw new ApiError("VALIDATION_ERROR", `The multipart body has no file in field "${FIELD}"`);
		if (part.name === FIELD) {
			return { filename: part.filename, mediaType: part.mediaType, body: scanner.partBody(), fields };
		}
		if (part.name !== undefined && textFields.includes(part.name))
			fields[part.name] = await scanner.readText(part.name);
		else await scanner.skipPart();
	}
}

/** Walks a multipart body: `--B`, then parts each ending with `\r\n--B`, then `--` after the last. */
class PartScanner {
	private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
	private readonly opening: Uint8Array;
	private readonly delimiter: Uint8Array;
	// Bytes read from the source and not yet consumed.
	private data: Uint8Array = new Uint8Array(0);
	private sourceDone = false;
	private started = false;

	constructor(
		source: ReadableStream<Uint8Array>,
		boundary: string,
		private readonly textFields: readonly string[],
	) {
		this.reader = source.getReader();
		this.opening = new TextEncoder().encode(`--${boundary}`);
		this.delimiter = concat([CRLF, this.opening]);
	}

	/** What the next part's headers say, or undefined after the closing boundary. */
	async nextPart(): Promise<PartHeaders | undefined> {
		if (!this.started) {
			await this.fill(this.opening.length);
			if (!startsWith(this.data, this.opening)) throw invalid("it does not start with its boundary");
			this.data = this.data.subarray(this.opening.length);
			this.started = true;
		}
		await this.fill(2);
		if (startsWith(this.data, DASHES)) return undefined;
		if (!startsWith(this.data, CRLF)) throw invalid("a boundary is not followed by a line break");
		// Searched from 0, so a part without headers (CRLF CRLF right away) is found too.
		let end = indexOf(this.data, HEADER_END, 0);
		while (end === -1) {
			if (this.data.length > MAX_HEADER_BYTES) throw invalid(`a part's headers exceed ${MAX_HEADER_BYTES} bytes`);
			await this.fill(this.data.length + 1);
			end = indexOf(this.data, HEADER_END, 0);
		}
		const headers = readHeaders(this.data.slice(2, Math.max(2, end)));
		this.data = this.data.subarray(end + HEADER_END.length);
		return headers;
	}

	/** The current part's content as UTF-8 text, at most MAX_TEXT_FIELD_BYTES of it. */
	async readText(name: string): Promise<string> {
		const pieces: Uint8Array[] = [];
		let size = 0;
		for await (const piece of this.content()) {
			size += piece.length;
			if (size > MAX_TEXT_FIELD_BYTES) throw invalid(`field "${name}" is longer than ${MAX_TEXT_FIELD_BYTES} bytes`);
			pieces.push(piece.slice());
		}
		try {
			return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(concat(pieces));
		} catch {
			throw invalid(`field "${name}" is not valid UTF-8`);
		}
	}

	/** Reads past the current part's content without keeping it. */
	async skipPart(): Promise<void> {
		for await (const _ of this.content());
	}

	/** The current part's content; once it ends, the rest of the body is read and checked before the stream closes. */
	partBody(): ReadableStream<Uint8Array> {
		const content = this.content();
		return new ReadableStream({
			pull: async (controller) => {
				const { done, value } = await content.next();
				if (!done) return controller.enqueue(value);
				for (let part = await this.nextPart(); part; part = await this.nextPart()) {
					if (part.name !== undefined && this.textFields.includes(part.name)) {
						throw invalid(`field "${part.name}" must come before field "${FIELD}"`);
					}
					await this.skipPart();
				}
				await this.drain();
				controller.close();
			},
			cancel: (reason) => this.reader.cancel(reason),
		});
	}

	/** The current part's content piece by piece, holding back what could be the start of the delimiter. */
	private async *content(): AsyncGenerator<Uint8Array> {
		const keep = this.delimiter.length - 1;
		for (;;) {
			const at = indexOf(this.data, this.delimiter, 0);
			if (at !== -1) {
				if (at > 0) yield this.data.subarray(0, at);
				this.data = this.data.subarray(at + this.delimiter.length);
				return;
			}
			if (this.data.length > keep) {
				const piece = this.data.subarray(0, this.data.length - keep);
				this.data = this.data.slice(this.data.length - keep);
				yield piece;
			}
			if (!(await this.read())) throw invalid("it ends before its closing boundary");
		}
	}

	/** Reads until at least `bytes` are buffered; a body that ends first is cut short. */
	private async fill(bytes: number): Promise<void> {
		while (this.data.length < bytes) {
			if (!(await this.read())) throw invalid(this.started ? "it ends before its closing boundary" : "it is empty");
		}
	}

	private async read(): Promise<boolean> {
		if (this.sourceDone) return false;
		const { done, value } = await this.reader.read();
		if (done) {
			this.sourceDone = true;
			return false;
		}
		this.data = this.data.length > 0 ? concat([this.data, value]) : value;
		return true;
	}

	/** Whatever follows the closing boundary is read (so the whole body is hashed and counted) and ignored. */
	private async drain(): Promise<void> {
		this.data = new Uint8Array(0);
		while (!this.sourceDone) {
			const { done } = await this.reader.read();
			this.sourceDone = done;
		}
	}
}

type PartHeaders = { name?: string; filename?: string; mediaType?: string };

function readHeaders(bytes: Uint8Array): PartHeaders {
	try {
		const part = new MultipartPart(bytes, []);
		return { name: part.name, filename: part.filename, mediaType: part.mediaType };
	} catch {
		throw invalid("a part's headers are not valid UTF-8");
	}
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
	return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** The first index of `needle` in `hay` at or after `from`, or -1. */
function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
	const first = needle[0]!;
	for (let i = hay.indexOf(first, from); i !== -1 && i <= hay.length - needle.length; i = hay.indexOf(first, i + 1)) {
		let j = 1;
		while (j < needle.length && hay[i + j] === needle[j]) j++;
		if (j === needle.length) return i;
	}
	return -1;
}
