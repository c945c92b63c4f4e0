import { ApiError } from "../errors";

export type DecodeOptions = { encoding?: string | null; maxBytes: number };

/**
 * The request body as plain bytes: gunzipped for `Content-Encoding: gzip`, and errored with
 * PAYLOAD_TOO_LARGE once more than maxBytes pass, counted before and after decompression so a
 * gzip bomb stops at the limit. Pull-based, so memory stays flat whatever the body's size.
 */
export function decodeBody(body: ReadableStream<Uint8Array>, opts: DecodeOptions): ReadableStream<Uint8Array> {
	const encoding = (opts.encoding ?? "").trim().toLowerCase();
	if (encoding === "" || encoding === "identity") return limit(body, opts.maxBytes, "body");
	if (encoding !== "gzip" && encoding !== "x-gzip") {
		const message = `Content-Encoding "${opts.encoding}" is not supported; use gzip or none`;
		throw new ApiError("UNSUPPORTED_MEDIA_TYPE", message);
	}
	let bodyError: unknown;
	const inflated = limit(body, opts.maxBytes, "body", (err) => (bodyError = err)).pipeThrough(
		new DecompressionStream("gzip"),
	);
	// The decompressor errors with its own reason when its input fails, so the body's error is
	// taken from where it happened; any other non-limit error is the decompressor refusing the data.
	return limit(inflated, opts.maxBytes, "decompressed body", (err) =>
		bodyError ?? (err instanceof ApiError ? err : new ApiError("UNSUPPORTED_MEDIA_TYPE", "body is not valid gzip")),
	);
}

function limit(
	source: ReadableStream<Uint8Array>,
	maxBytes: number,
	what: string,
	mapError: (err: unknown) => unknown = (err) => err,
): ReadableStream<Uint8Array> {
	const reader = source.getReader();
	let seen = 0;
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			let result: ReadableStreamReadResult<Uint8Array>;
			try {
				result = await reader.read();
			} catch (err) {
				return controller.error(mapError(err));
			}
			if (result.done) return controller.close();
			seen += result.value.byteLength;
			if (seen <= maxBytes) return controller.enqueue(result.value);
			const err = mapError(new ApiError("PAYLOAD_TOO_LARGE", `The ${what} exceeds ${maxBytes} bytes`));
			controller.error(err);
			await reader.cancel(err);
		},
		cancel: (reason) => reader.cancel(reason),
	});
}
