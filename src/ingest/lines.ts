/** Spec §6: longer NDJSON lines fail alone; longer CSV records stop the import. */
export const MAX_LINE_BYTES = 1_048_576;

/** `truncated`: `raw` is only the start of the line (one over MAX_LINE_BYTES). */
export type ParsedLine = {
	line: number;
	raw: string;
	value?: Record<string, unknown>;
	error?: string;
	truncated?: boolean;
};

// The splitter puts this, then the line's first bytes, in place of a line over MAX_LINE_BYTES so
// memory stays bounded. It starts with a NUL byte, so it can never be mistaken for valid JSON.
export const OVERSIZE_PREFIX = "\0cohort:line-exceeds-1MiB\0";
export const OVERSIZE_MARK = new TextEncoder().encode(OVERSIZE_PREFIX);

/** True when bytes[from, to) holds only spaces, tabs and carriage returns: a blank line. */
export function isBlank(bytes: Uint8Array, from: number, to: number): boolean {
	for (let i = from; i < to; i++) {
		const byte = bytes[i];
		if (byte !== 32 && byte !== 9 && byte !== 13) return false;
	}
	return true;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function isUtf8(bytes: Uint8Array): boolean {
	try {
		strictUtf8.decode(bytes);
		return true;
	} catch {
		return false;
	}
}

/** Copies parts into one array, stopping after `limit` bytes. */
export function concat(parts: readonly Uint8Array[], limit = Infinity): Uint8Array {
	const total = Math.min(
		limit,
		parts.reduce((sum, part) => sum + part.length, 0),
	);
	const out = new Uint8Array(total);
	let at = 0;
	for (const part of parts) {
		if (at === total) break;
		const piece = part.subarray(0, total - at);
		out.set(piece, at);
		at += piece.length;
	}
	return out;
}
