import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";
import { decodeBody } from "./ingest/decode";

/** JSON bulk bodies are streamed up to this size; larger imports go through file uploads. */
const MAX_BULK_JSON_BYTES = 32 * 1024 * 1024;
/**
 * Other JSON bodies are parsed whole, so they stay small: the largest one that makes sense, a URL
 * import naming 4 x 1,000 catalog ids, is about 1 MB.
 */
const MAX_JSON_BYTES = 2 * 1024 * 1024;

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

/** A JSON body the handler streams itself (the bulk routes): only its type is checked up front. */
export const jsonType = requireContentType("application/json");

/**
 * A JSON body's bytes as they arrive: gunzipped when sent so (another Content-Encoding is a 415),
 * and counted against `maxBytes` before and after decoding.
 */
export function jsonStream(req: Request, maxBytes = MAX_BULK_JSON_BYTES): ReadableStream<Uint8Array> {
	return decodeBody(req.body ?? new Blob().stream(), { encoding: req.headers.get("Content-Encoding"), maxBytes });
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * A JSON body, read once while counting its bytes (Content-Length is not trusted), checked to be
 * UTF-8 (the runtime would turn bad bytes into U+FFFD) and cached on the request for the validator
 * and the idempotency check.
 */
export const jsonBody = createMiddleware<AppEnv>(async function jsonBody(c, next) {
	await jsonType(c, async () => {
		const reader = jsonStream(c.req.raw, MAX_JSON_BYTES).getReader();
		const parts: Uint8Array[] = [];
		for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
		let text: string;
		try {
			text = strictUtf8.decode(await new Blob(parts).bytes());
		} catch {
			throw new ApiError("VALIDATION_ERROR", "The JSON body is not valid UTF-8");
		}
		// hono caches bodies as promises although its BodyCache type says the resolved values.
		(c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
	});
	await next();
});

/**
 * The JSON bulk routes read their body with a streaming parser (src/ingest/json-body.ts), so no
 * validator may read it whole first. Their handlers are registered with `streamedJson(route)`:
 * typed as `route`, so `hc<AppType>` still types the body, but without the body validator and
 * left out of the document, where `documentStreamed` puts `route` itself, body schema included.
 */
export function streamedJson<R extends RouteConfig>(route: R): R {
	const { body: _validatedByTheHandler, ...request } = route.request ?? {};
	return { ...route, hide: true, request } as unknown as R;
}

export function documentStreamed(routes: Pick<OpenAPIHono, "openAPIRegistry">, ...documented: RouteConfig[]): void {
	for (const { middleware: _runtimeOnly, hide: _shown, ...route } of documented)
		routes.openAPIRegistry.registerPath(route);
}
