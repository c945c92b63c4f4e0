type Haystack<T> = { readonly length: number; indexOf(needle: T, from: number): number };

/**
 * Finds record ends in a stream of haystacks (byte pieces or strings): every newline, or for CSV
 * every newline outside quotes (RFC 4180 quote parity, so `""` needs no special case). `line` is
 * the physical line at the scan position; the caller adds one for each record end it consumes.
 * Call begin() with each haystack before scanning it.
 */
export class RecordScanner<T> {
	line = 1;
	inQuote = false;
	/** Where the open quoted field started, while inQuote. */
	quoteLine = 0;
	// Distinct from afterClose's "none" (-1), so the first haystack never starts after a close.
	private hayLength = -2;
	// Next quote/newline at or after the last search, -1 for none to the end, -2 for unknown:
	// cached so a line with many quoted fields is not searched again for every field.
	private nextQuote = -2;
	private nextNewline = -2;
	private afterClose = -1;

	constructor(
		private readonly newline: T,
		private readonly quote: T | null,
	) {}

	begin(hay: Haystack<T>): void {
		this.afterClose = this.afterClose === this.hayLength ? 0 : -1;
		this.hayLength = hay.length;
		this.nextQuote = this.nextNewline = -2;
	}

	/** Index of the next record-ending newline at or after `from`, or -1 if the record goes on. */
	next(hay: Haystack<T>, from: number): number {
		const { newline, quote } = this;
		if (quote === null) return hay.indexOf(newline, from);
		let pos = from;
		for (;;) {
			if (this.inQuote) {
				const close = this.find(hay, quote, pos, "nextQuote");
				const stop = close === -1 ? hay.length : close;
				for (let nl = this.find(hay, newline, pos, "nextNewline"); nl !== -1 && nl < stop; ) {
					this.line++;
					nl = this.find(hay, newline, nl + 1, "nextNewline");
				}
				if (close === -1) return -1;
				this.inQuote = false;
				pos = this.afterClose = close + 1;
				continue;
			}
			const nl = this.find(hay, newline, pos, "nextNewline");
			const open = this.find(hay, quote, pos, "nextQuote");
			if (open === -1 || (nl !== -1 && nl < open)) return nl;
			// A quote right after a closing one is an escaped quote: the field goes on.
			if (open !== this.afterClose) this.quoteLine = this.line;
			this.inQuote = true;
			pos = open + 1;
		}
	}

	private find(hay: Haystack<T>, needle: T, pos: number, cache: "nextQuote" | "nextNewline"): number {
		const known = this[cache];
		if (known === -1 || known >= pos) return known;
		this[cache] = hay.indexOf(needle, pos);
		return this[cache];
	}
}
