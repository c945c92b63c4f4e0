import { createMiddleware } from "hono/factory";
import { hashSecret, hex } from "./auth/keys";
import type { AppEnv } from "./context";
import { db } from "./db/client";
import { releaseKey, reserveKey, storedResponse, storeResponse } from "./db/queries/idempotency";
import { ApiError } from "./errors";

const TTL_MS = 24 * 60 * 60 * 1000;
const REPLAYED_HEADERS = ["Content-Type", "Location"];

/** Passes a streamed body through unchanged while hashing it, so uploads stay streamed. */
function hashWhileStreaming(body: ReadableStream<Uint8Array>) {
	const digest = new crypto.DigestStream("SHA-256");
	const writer = digest.getWriter();
	const stream = body.pipeThrough(
		new TransformStream<Uint8Array, Uint8Array>({
			async transform(chunk, controller) {
				await writer.write(chunk);
				controller.enqueue(chunk);
			},
			flush: () => writer.close(),
		}),
	);
	return { stream, hash: digest.digest.then(hex) };
}

/**
 * `Idempotency-Key`: the first request with a key reserves it; a repeat with the same body within
 * 24 h gets the stored response again, with another body a 409. Only successful responses are
 * kept, so a request that failed validation can be fixed and sent again with the same key.
 * `buffered` bodies (JSON) are hashed up front; `streamed` ones (file uploads) as they pass.
 */
export function idempotency(body: "buffered" | "streamed") {
	return createMiddleware<AppEnv>(async function idempotency(c, next) {
		const key = c.req.header("Idempotency-Key");
		if (key === undefined) return next();
		if (key.length === 0 || key.length > 255)
			throw new ApiError("VALIDATION_ERROR", "Idempotency-Key must be 1 to 255 characters");

		let hash: Promise<string>;
		if (body === "buffered") hash = hashSecret(await c.req.text());
		else {
			const hashing = hashWhileStreaming(c.req.raw.body ?? new ReadableStream());
			c.req.raw = new Request(c.req.raw, { body: hashing.stream });
			hash = hashing.hash;
		}

		const database = db(c.env);
		const at = { tenantId: c.get("tenantId"), key, route: `${c.req.method} ${c.req.path}` };
		const now = Date.now();
		if (!(await reserveKey(database, at, now, now - TTL_MS))) {
			const first = await storedResponse(database, at);
			if (!first) throw new ApiError("CONFLICT", "A request with this Idempotency-Key is still in progress");
			if (body === "streamed") await c.req.raw.body?.pipeTo(new WritableStream());
			if (first.bodyHash !== (await hash))
				throw new ApiError("CONFLICT", "This Idempotency-Key was used with a different request body");
			return c.body(first.body, first.status as 200, { ...first.headers, "Idempotent-Replayed": "true" });
		}

		await next();
		if (c.res.status >= 200 && c.res.status < 300) {
			const headers = Object.fromEntries(
				REPLAYED_HEADERS.flatMap((h) => (c.res.headers.has(h) ? [[h, c.res.headers.get(h)!]] : [])),
			);
			await storeResponse(database, at, {
				bodyHash: await hash,
				status: c.res.status,
				headers,
				body: await c.res.clone().text(),
			});
		} else {
			await releaseKey(database, at);
		}
	});
}
