import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/** JSON request bodies are read up to this size; larger imports go through file uploads. */
const MAX_JSON_BYTES = 32 * 1024 * 1024;

export function mediaType(header: string | undefined): string {
	return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Rejects bodies of another media type with 415 before the validator reads them. */
function requireContentType(...types: string[]) {
	return createMiddleware<AppEnv>(async function requireContentType(c, next) {
		const type = mediaType(c.req.header("Content-Type"));
		if (!types.includes(type)) {
			throw new ApiError(
				"UNSUPPORTED_MEDIA_TYPE",
				`Content-Type ${type || "(none)"} is not accepted here; send ${types.join(" or ")}`,
			);
		}
		await next();
	});
}

/**
 * A JSON body, read once while counting its bytes (Content-Length is not trusted) and cached on
 * the request for the validator and the idempotency check.
 */
export const jsonBody = createMiddleware<AppEnv>(async function jsonBody(c, next) {
	await requireContentType("application/json")(c, async () => {
		const reader = c.req.raw.body?.getReader();
		const parts: Uint8Array[] = [];
		let size = 0;
		for (let r = await reader?.read(); r && !r.done; r = await reader!.read()) {
			size += r.value.byteLength;
			if (size > MAX_JSON_BYTES) {
				await reader!.cancel();
				throw new ApiError(
					"PAYLOAD_TOO_LARGE",
					`JSON bodies are limited to ${MAX_JSON_BYTES} bytes; upload a file to /v1/imports instead`,
				);
			}
			parts.push(r.value);
		}
		// hono caches bodies as promises although its BodyCache type says the resolved values.
		(c.req.bodyCache as { text?: Promise<string> }).text = new Blob(parts).text();
	});
	await next();
});
