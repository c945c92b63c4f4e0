import { ApiError } from "../errors";

export type DecodeOptions = { encoding?: string | null; maxBytes: number };

/** Spec §13: past RATIO_FREE_BYTES decoded, a gzip body may expand at most MAX_RATIO times. */
const MAX_RATIO = 200;
const RATIO_FREE_BYTES = 64 * 1024 * 1024;

/**
 * The request body as plain bytes: gunzipped for `Content-Encoding: gzip`, and errored with
 * PAYLOAD_TOO_LARGE once more than maxBytes pass, counted before and after decompression so a
 * gzip bomb stops at the limit. A body that expands more than 200 times is stopped at 64 MiB
 * decoded: a few hundred KB of gzip would otherwise keep the CPU busy for seconds on its way to
 * maxBytes. Pull-based, so memory stays flat whatever the body's size.
 */
export function decodeBody(body: ReadableStream<Uint8Array>, opts: DecodeOptions): ReadableStream<Uint8Array> {
	const encoding = (opts.encoding ?? "").trim().toLowerCase();
	if (encoding === "" || encoding === "identity") return limit(body, opts.maxBytes, "body");
	if (encoding !== "gzip" && encoding !== "x-gzip") {
		const message = `Content-Encoding "${opts.encoding}" is not supported; use gzip or none`;
		throw new ApiError("UNSUPPORTED_MEDIA_TYPE", message);
	}
	let bodyError: unknown;
	let compressed = 0;
	const inflated = limit(body, opts.maxBytes, "body", {
		mapError: (err) => (bodyError = err),
		onPiece: (seen) => {
			compressed = seen;
		},
	}).pipeThrough(new DecompressionStream("gzip"));
	// The decompressor errors with its own reason when its input fails, so the body's error is
	// taken from where it happened; any other non-limit error is the decompressor refusing the data.
	return limit(inflated, opts.maxBytes, "decompressed body", {
		mapError: (err) =>
			bodyError ?? (err instanceof ApiError ? err : new ApiError("UNSUPPORTED_MEDIA_TYPE", "body is not valid gzip")),
		onPiece: (decoded) => {
			if (decoded > RATIO_FREE_BYTES && decoded > MAX_RATIO * compressed) {
				throw new ApiError("PAYLOAD_TOO_LARGE", `The gzip body expands more than ${MAX_RATIO} times its size`);
			}
		},
	});
}

// A request body arrives in pieces of a few KiB. Gathering them into pieces of at least
// MIN_PIECE bytes where the stream allows it means far fewer allocations and stream steps.
const MIN_PIECE = 256 * 1024;
const MAX_PIECE = 1024 * 1024;

type Reader = { read(): Promise<ReadableStreamReadResult<Uint8Array>>; cancel(reason?: unknown): Promise<void> };

/** Byte streams (request bodies) are read with the runtime's readAtLeast; others piece by piece. */
function largeReads(source: ReadableStream<Uint8Array>): Reader {
	let byob: ReadableStreamBYOBReader;
	try {
		byob = source.getReader({ mode: "byob" });
	} catch {
		return source.getReader();
	}
	return {
		read: () => byob.readAtLeast(MIN_PIECE, new Uint8Array(MAX_PIECE)),
		cancel: (reason) => byob.cancel(reason),
	};
}

type LimitHooks = {
	mapError?: (err: unknown) => unknown;
	/** Called with the bytes seen so far after each piece; throws to stop the stream. */
	onPiece?: (seen: number) => void;
};

function limit(
	source: ReadableStream<Uint8Array>,
	maxBytes: number,
	what: string,
	{ mapError = (err) => err, onPiece }: LimitHooks = {},
): ReadableStream<Uint8Array> {
	const reader = largeReads(source);
	let seen = 0;
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			let result: ReadableStreamReadResult<Uint8Array>;
			try {
				// readAtLeast may end a stream with an empty piece before `done`.
				do result = await reader.read();
				while (!result.done && result.value.byteLength === 0);
			} catch (err) {
				return controller.error(mapError(err));
			}
			if (result.done) return controller.close();
			seen += result.value.byteLength;
			try {
				if (seen > maxBytes) throw new ApiError("PAYLOAD_TOO_LARGE", `The ${what} exceeds ${maxBytes} bytes`);
				onPiece?.(seen);
			} catch (cause) {
				const err = mapError(cause);
				controller.error(err);
				return reader.cancel(err);
			}
			controller.enqueue(result.value);
		},
		cancel: (reason) => reader.cancel(reason),
	});
}
