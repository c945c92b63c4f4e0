import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";

const READS = ["GET", "HEAD", "OPTIONS"];

/**
 * While a move switches the tenant's shard (src/jobs/move.ts), its write requests get 503
 * `TENANT_MOVING` with Retry-After: for seconds, and reads go on. Runs after `authenticate`, which
 * read the pause with the key.
 */
export const writesOpen = createMiddleware<AppEnv>(async function writesOpen(c, next) {
	const wait = c.get("writesPausedUntil") - Date.now();
	if (wait > 0 && !READS.includes(c.req.method)) {
		const seconds = Math.max(1, Math.ceil(wait / 1000));
		throw new ApiError(
			"TENANT_MOVING",
			`This tenant's records are being moved to another shard; writes resume within ${seconds} s, retry then`,
			undefined,
			{ "Retry-After": String(seconds) },
		);
	}
	await next();
});
