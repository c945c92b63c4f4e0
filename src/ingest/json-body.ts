import { type ParsedTokenInfo, Tokenizer, TokenParser, TokenType } from "@streamparser/json";
import type { z } from "zod";
import { ApiError, validationError } from "../errors";
import type { ImportOptions } from "../schemas/records";
import { MAX_LINE_BYTES } from "./lines";

/** Deeper than any valid body (a record's customFields nest at most 16 levels) and far from costly. */
const MAX_DEPTH = 64;
/** A record may be as large as an NDJSON line. */
const MAX_RECORD_BYTES = MAX_LINE_BYTES;
/** Every option is a flag but inviteMessage, at most 10,000 characters (60 KB escaped). */
const MAX_OPTIONS_BYTES = 64 * 1024;
/** The tokenizer is fed this much at a time, so a value is checked against its cap while it grows. */
const SLICE = 64 * 1024;
const OPTIONS = "options";

const OPENS = new Set([TokenType.LEFT_BRACE, TokenType.LEFT_BRACKET]);
const CLOSES = new Set([TokenType.RIGHT_BRACE, TokenType.RIGHT_BRACKET]);
const PRIMITIVES = new Set([TokenType.STRING, TokenType.NUMBER, TokenType.TRUE, TokenType.FALSE, TokenType.NULL]);

/** A bulk body's shape: the key holding its records (`users`) and the route's schema of the whole body. */
export type BulkBodyShape = { key: string; schema: z.ZodType };

const malformed = () => new ApiError("VALIDATION_ERROR", "Malformed JSON in request body");
const tooLarge = (message: string) => new ApiError("PAYLOAD_TOO_LARGE", message);

/**
 * A JSON bulk body (`{"users": […], "options": {…}}`) read as it streams: records come out one by
 * one and are never held together with the rest of the body. Limits are enforced while parsing,
 * before anything they guard is built: at most `maxRecords` records (413 at the first one over),
 * 64 levels of nesting, 1 MiB per record, 64 KiB of options, valid UTF-8; the body's shape
 * (records present and not empty, valid options, every unknown top-level key named) is checked by
 * the route's schema once the body has ended.
 */
export class BulkBodyReader {
	private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
	private readonly utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
	private readonly tokenizer = new Tokenizer();
	// keepStack false drops each record from its array once it is emitted: memory holds one record.
	private readonly parser = new TokenParser({ paths: ["$.*.*"], keepStack: false });
	private readonly records: unknown[] = [];
	private readonly seenKeys = new Set<string>();
	// Named in the error once the body has ended, all of them; their values are read and dropped.
	private readonly unknownKeys: string[] = [];
	private count = 0;
	private depth = 0;
	private expectKey = false;
	private topKey: string | undefined;
	private options: unknown;
	private fed = 0;
	private lastToken = 0;
	private recordStart: number | undefined;
	private optionsStart: number | undefined;
	private validOptions: ImportOptions | undefined;
	private ended = false;

	constructor(
		source: ReadableStream<Uint8Array>,
		private readonly shape: BulkBodyShape,
		private readonly maxRecords: number,
	) {
		this.reader = source.getReader();
		this.tokenizer.onToken = (info) => this.onToken(info);
		this.parser.onValue = ({ value, key }) => {
			if (this.topKey === shape.key) this.records.push(value);
			// defineProperty, so a "__proto__" option is an unknown key instead of a prototype.
			else if (this.topKey === OPTIONS)
				Object.defineProperty(this.options, key!, { value, enumerable: true, writable: true, configurable: true });
		};
	}

	/** Whether the whole body has been read and checked. */
	get done(): boolean {
		return this.ended;
	}

	/** The body's options, once it has been read to the end. */
	get importOptions(): ImportOptions {
		if (!this.validOptions) throw new Error("the body has not been read to its end");
		return this.validOptions;
	}

	/** Up to `n` more records, fewer only at the end of the body. */
	async take(n: number): Promise<unknown[]> {
		while (this.records.length < n && !this.ended) await this.pump();
		return this.records.splice(0, n);
	}

	/** `first`, then the records not yet taken, as NDJSON: line L holds the record at index L - 1. */
	ndjson(first: unknown[]): ReadableStream<Uint8Array> {
		const encoder = new TextEncoder();
		let batch = first;
		return new ReadableStream({
			pull: async (controller) => {
				if (batch.length === 0) batch = await this.take(500);
				if (batch.length === 0) return controller.close();
				controller.enqueue(encoder.encode(batch.map((r) => `${JSON.stringify(r)}\n`).join("")));
				batch = [];
			},
			cancel: (reason) => this.reader.cancel(reason),
		});
	}

	private async pump(): Promise<void> {
		try {
			const { done, value } = await this.reader.read();
			if (done) return this.finish();
			for (let at = 0; at < value.length; at += SLICE) {
				const slice = value.subarray(at, at + SLICE);
				this.checkUtf8(slice);
				this.tokenizer.write(slice);
				this.fed += slice.length;
				this.checkGrowth();
			}
		} catch (error) {
			await this.reader.cancel(error).catch(() => undefined);
			throw error instanceof ApiError ? error : malformed();
		}
	}

	/** Checked apart from the tokenizer, so bad bytes anywhere (not only in strings) get their own answer. */
	private checkUtf8(bytes?: Uint8Array): void {
		try {
			if (bytes) this.utf8.decode(bytes, { stream: true });
			else this.utf8.decode();
		} catch {
			throw new ApiError("VALIDATION_ERROR", "The JSON body is not valid UTF-8");
		}
	}

	private onToken(info: ParsedTokenInfo): void {
		this.parser.write(info);
		this.lastToken = info.offset;
		const { token } = info;
		if (this.depth === 0) {
			if (token !== TokenType.LEFT_BRACE) this.refuseShape(token === TokenType.LEFT_BRACKET ? [] : info.value);
		} else if (this.depth === 1) {
			if (token === TokenType.STRING && this.expectKey) {
				this.key(info.value as string);
				return;
			}
			if (token === TokenType.COMMA) this.expectKey = true;
			else if (token !== TokenType.COLON && !CLOSES.has(token)) this.topValue(info);
		} else if (this.depth === 2 && this.topKey === this.shape.key && (OPENS.has(token) || PRIMITIVES.has(token))) {
			if (++this.count > this.maxRecords)
				throw tooLarge(`At most ${this.maxRecords} records per request; this body has more`);
			this.recordStart = info.offset;
		}
		if (OPENS.has(token)) {
			if (++this.depth > MAX_DEPTH)
				throw new ApiError("VALIDATION_ERROR", `The JSON body nests deeper than ${MAX_DEPTH} levels`);
			this.expectKey = this.depth === 1;
		} else if (CLOSES.has(token)) this.depth--;
		if (this.depth === 2 && this.recordStart !== undefined && (CLOSES.has(token) || PRIMITIVES.has(token))) {
			this.checkRecord(info.offset);
			this.recordStart = undefined;
		}
		if (this.depth === 1 && CLOSES.has(token)) this.optionsStart = undefined;
	}

	private key(name: string): void {
		this.expectKey = false;
		if (name !== this.shape.key && name !== OPTIONS) this.unknownKeys.push(name);
		if (this.seenKeys.has(name))
			throw new ApiError("VALIDATION_ERROR", `Body field "${name}" appears twice`, [
				{ path: name, message: "Duplicate field" },
			]);
		this.seenKeys.add(name);
		this.topKey = name;
	}

	/** The value of a top-level key starts: the records must be an array; the options are kept, up to their cap. */
	private topValue(info: ParsedTokenInfo): void {
		const container = info.token === TokenType.LEFT_BRACE ? {} : info.token === TokenType.LEFT_BRACKET ? [] : null;
		if (this.topKey === this.shape.key) {
			if (info.token !== TokenType.LEFT_BRACKET) this.refuseShape({ [this.shape.key]: container ?? info.value });
			return;
		}
		if (this.topKey !== OPTIONS) return;
		this.options = container ?? info.value;
		if (container) this.optionsStart = info.offset;
	}

	private checkRecord(end: number): void {
		if (end - this.recordStart! > MAX_RECORD_BYTES)
			throw tooLarge(`Record ${this.count - 1} is larger than ${MAX_RECORD_BYTES} bytes`);
	}

	/** A value still open after a slice may not grow past its cap: a long string is refused before it is whole. */
	private checkGrowth(): void {
		if (this.recordStart !== undefined) this.checkRecord(this.fed);
		else if (this.depth === 2 && this.topKey === this.shape.key && this.fed - this.lastToken > MAX_RECORD_BYTES)
			throw tooLarge(`Record ${this.count} is larger than ${MAX_RECORD_BYTES} bytes`);
		else if (this.fed - this.lastToken > MAX_RECORD_BYTES)
			throw tooLarge(`The JSON body holds a value larger than ${MAX_RECORD_BYTES} bytes`);
		if (this.optionsStart !== undefined && this.fed - this.optionsStart > MAX_OPTIONS_BYTES)
			throw tooLarge(`options is larger than ${MAX_OPTIONS_BYTES} bytes`);
	}

	private finish(): void {
		this.checkUtf8();
		this.tokenizer.end();
		if (!this.parser.isEnded) throw malformed();
		// Absent options are parsed as {}, so they get the defaults of the route's own options schema.
		const skeleton = {
			...(this.seenKeys.has(this.shape.key) ? { [this.shape.key]: Array(this.count).fill(null) } : {}),
			options: this.seenKeys.has(OPTIONS) ? this.options : {},
			...Object.fromEntries(this.unknownKeys.map((key) => [key, null])),
		};
		const parsed = this.shape.schema.safeParse(skeleton);
		if (!parsed.success) throw validationError(parsed.error, "json");
		this.validOptions = (parsed.data as { options: ImportOptions }).options;
		this.ended = true;
	}

	/** Refuses the body with the message the route's schema gives for `skeleton`, the part of it read so far. */
	private refuseShape(skeleton: unknown): never {
		const parsed = this.shape.schema.safeParse(skeleton);
		throw parsed.success ? malformed() : validationError(parsed.error, "json");
	}
}
