import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { hashSecret, hex } from "./auth/keys";
import type { AppEnv } from "./context";
import { db } from "./db/client";
import {
	giveBackKey,
	keyUse,
	recordBodyHash,
	releaseKey,
	renewKey,
	reserveKey,
	type Slot,
	storeResponse,
} from "./db/queries/idempotency";
import { ApiError } from "./errors";

const TTL_MS = 24 * 60 * 60 * 1000;
/** A reservation lives this long unless the request holding it renews it, which it does while it runs. */
export const LEASE_MS = 60_000;
const RENEW_MS = 20_000;
const REPLAYED_HEADERS = ["Content-Type", "Location"];

const DIFFERENT_BODY = "This Idempotency-Key was used with a different request body";
const differentRequest = (first: string) =>
	`This Idempotency-Key was used for another request (${first}); a key names one method, path, query string and body`;

/** Passes a streamed body through unchanged while hashing it; `check` runs before the reader sees the end. */
function hashWhileStreaming(body: ReadableStream<Uint8Array>, check: (hash: string) => Promise<void>) {
	const digest = new crypto.DigestStream("SHA-256");
	const writer = digest.getWriter();
	const stream = body.pipeThrough(
		new TransformStream<Uint8Array, Uint8Array>({
			async transform(chunk, controller) {
				await writer.write(chunk);
				controller.enqueue(chunk);
			},
			// So a refused body creates nothing: the handler only sees the end after the check.
			flush: async () => {
				await writer.close();
				await check(hex(await digest.digest));
			},
		}),
	);
	return { stream, hash: digest.digest.then(hex) };
}

async function hashOfStream(body: ReadableStream<Uint8Array> | null): Promise<string> {
	const hashing = hashWhileStreaming(body ?? new ReadableStream(), async () => {});
	await hashing.stream.pipeTo(new WritableStream());
	return hashing.hash;
}

/** The request a key stands for: method, path and query string (a dry run and the real import differ). */
function routeOf(c: Context<AppEnv>): string {
	const url = new URL(c.req.url);
	return `${c.req.method} ${url.pathname}${url.search}`;
}

/**
 * `Idempotency-Key`: the first request with a key reserves it; a repeat with the same method, path,
 * query string and body within 24 h gets the stored response again, anything else a 409. Only
 * successful responses are kept, so a request that failed validation can be fixed and sent again
 * with the same key. A reservation is a lease the running request renews: if the request dies, the
 * key is free again within LEASE_MS for the same request (for another body too when the first died
 * before its body was read). `buffered` bodies (JSON) are hashed up front; `streamed` ones (file
 * uploads) as they pass, and the hash is recorded as soon as the body has been read.
 */
export function idempotency(body: "buffered" | "streamed") {
	return createMiddleware<AppEnv>(async function idempotency(c, next) {
		const key = c.req.header("Idempotency-Key");
		if (key === undefined) return next();
		if (key.length === 0 || key.length > 255)
			throw new ApiError("VALIDATION_ERROR", "Idempotency-Key must be 1 to 255 characters");

		const database = db(c.env);
		const at: Slot = { tenantId: c.get("tenantId"), key, route: routeOf(c) };
		const holder = crypto.randomUUID();
		const known = body === "buffered" ? await hashSecret(await c.req.text()) : "";
		const now = Date.now();
		const reservation = await reserveKey(database, at, holder, known, {
			now,
			leaseUntil: now + LEASE_MS,
			expiredBefore: now - TTL_MS,
		});

		if (!reservation.held) {
			const first = await keyUse(database, at);
			if (first && first.route !== at.route) throw new ApiError("CONFLICT", differentRequest(first.route));
			if (!first?.response) throw new ApiError("CONFLICT", "A request with this Idempotency-Key is still in progress");
			const hash = body === "buffered" ? known : await hashOfStream(c.req.raw.body);
			if (first.bodyHash !== hash) throw new ApiError("CONFLICT", DIFFERENT_BODY);
			const { response } = first;
			return c.body(response.body, response.status as 200, { ...response.headers, "Idempotent-Replayed": "true" });
		}

		const { earlierHash } = reservation;
		if (earlierHash && known && earlierHash !== known) {
			await giveBackKey(database, at, holder);
			throw new ApiError("CONFLICT", DIFFERENT_BODY);
		}
		let refused = false;
		let hash: Promise<string> = Promise.resolve(known);
		if (body === "streamed") {
			const hashing = hashWhileStreaming(c.req.raw.body ?? new ReadableStream(), async (digest) => {
				if (earlierHash && earlierHash !== digest) {
					refused = true;
					throw new ApiError("CONFLICT", DIFFERENT_BODY);
				}
				await recordBodyHash(database, at, holder, digest);
			});
			c.req.raw = new Request(c.req.raw, { body: hashing.stream });
			hash = hashing.hash;
		}

		const renewal = setInterval(() => {
			renewKey(database, at, holder, Date.now() + LEASE_MS).catch((error) =>
				console.error(JSON.stringify({ idempotency: "renewal failed", error: String(error) })),
			);
		}, RENEW_MS);
		try {
			await next();
		} finally {
			clearInterval(renewal);
		}
		if (refused) {
			await giveBackKey(database, at, holder);
			throw new ApiError("CONFLICT", DIFFERENT_BODY);
		}
		if (c.res.status >= 200 && c.res.status < 300) {
			const headers = Object.fromEntries(
				REPLAYED_HEADERS.flatMap((h) => (c.res.headers.has(h) ? [[h, c.res.headers.get(h)!]] : [])),
			);
			await storeResponse(database, at, holder, {
				bodyHash: await hash,
				status: c.res.status,
				headers,
				body: await c.res.clone().text(),
			});
		} else if (earlierHash) {
			await giveBackKey(database, at, holder);
		} else {
			await releaseKey(database, at, holder);
		}
	});
}
