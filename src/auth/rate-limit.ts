import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import type { TenantLimits } from "../schemas/tenants";

/** What a tenant's request bucket answers for one request. */
export type RateDecision = { allowed: boolean; limit: number; remaining: number; reset: number; retryAfter: number };

export type RateLimitOptions = {
	/** Takes one token from the tenant's bucket (it lives with the tenant's state, which auth/ does not reach). */
	take: (env: Env, tenantId: string, limits: TenantLimits) => Promise<RateDecision>;
};

/**
 * One token per authenticated request, the rate-limit headers on every answer (errors included),
 * and a 429 with Retry-After when the bucket is empty. Runs after `authenticate`, which has taken
 * the token already for an API key.
 */
export function rateLimit({ take }: RateLimitOptions) {
	return createMiddleware<AppEnv>(async function rateLimit(c, next) {
		const rate = c.get("rate") ?? (await take(c.env, c.get("tenantId"), c.get("limits")));
		const stamp = () => {
			c.header("X-RateLimit-Limit", String(rate.limit));
			c.header("X-RateLimit-Remaining", String(rate.remaining));
			c.header("X-RateLimit-Reset", String(rate.reset));
		};
		stamp();
		if (!rate.allowed) {
			throw new ApiError("RATE_LIMITED", `Rate limit exceeded; retry in ${rate.retryAfter} s`, undefined, {
				"Retry-After": String(rate.retryAfter),
			});
		}
		await next();
		// Again on the answer: a handler that returns a Response of its own (a stream) drops headers set before it.
		stamp();
	});
}
