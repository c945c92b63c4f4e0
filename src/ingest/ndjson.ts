import { isBlank, isUtf8, OVERSIZE_MARK, OVERSIZE_PREFIX, type ParsedLine } from "./lines";

const lossyUtf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
const MAX_RAW_CHARS = 200;

/**
 * The records of one NDJSON chunk, blank lines skipped, numbered from the chunk's firstLine.
 * The chunk is decoded once (much faster than line by line; a leading BOM is dropped), and its
 * lines are walked in step in text and bytes: a newline is one byte and one char and is never
 * replaced. Only a line showing U+FFFD is decoded again, strictly, to tell bad bytes from a real one.
 */
export function* parseNdjsonChunk(bytes: Uint8Array, firstLine: number): Generator<ParsedLine> {
	const text = lossyUtf8.decode(bytes);
	let line = firstLine;
	let at = 0;
	let from = 0;
	while (at < bytes.length) {
		const nl = bytes.indexOf(10, at);
		const end = nl === -1 ? bytes.length : nl;
		const textNl = text.indexOf("\n", from);
		const textEnd = textNl === -1 ? text.length : textNl;
		const cr = end > at && bytes[end - 1] === 13 ? 1 : 0;
		if (!isBlank(bytes, at, end - cr)) yield parseLine(text.slice(from, textEnd - cr), line, bytes, at, end - cr);
		line++;
		at = end + 1;
		from = textEnd + 1;
	}
}

// Offsets rather than a subarray: the bytes are needed only for rare lines, a view per line is costly.
function parseLine(raw: string, line: number, bytes: Uint8Array, start: number, stop: number): ParsedLine {
	if (raw.startsWith(OVERSIZE_PREFIX)) {
		// Streaming mode holds back a character cut in half at the end of the kept bytes.
		const head = new TextDecoder().decode(bytes.subarray(start + OVERSIZE_MARK.length, stop), { stream: true });
		return { line, raw: head.slice(0, MAX_RAW_CHARS), error: "line exceeds 1 MiB", truncated: true };
	}
	if (raw.includes("\uFFFD") && !isUtf8(bytes.subarray(start, stop))) {
		return { line, raw, error: "line is not valid UTF-8" };
	}
	let value: unknown;
	try {
		value = JSON.parse(raw);
	} catch (err) {
		const reason = err instanceof Error ? err.message.slice(0, MAX_RAW_CHARS) : "syntax error";
		return { line, raw, error: `line is not valid JSON: ${reason}` };
	}
	if (typeof value !== "object" || value === null || Array.isArray(value)) {
		return { line, raw, error: "line is not a JSON object" };
	}
	return { line, raw, value: value as Record<string, unknown> };
}
