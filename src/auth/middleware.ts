import { eq } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { db } from "../db/client";
import { apiKeys, tenants } from "../db/schema";
import { ApiError } from "../errors";
import { tenantObject } from "../tenant/object";
import { bearerToken, hashSecret, parseApiKey, type Role, roleAtLeast, secretsEqual } from "./keys";
import { MIN_OPERATOR_KEY, operatorGate } from "./operator-gate";

const unauthorized = () => new ApiError("UNAUTHORIZED", "Missing, unknown or revoked API key");

/** Tenant API key: authenticates, takes a rate-limit token, then checks the role. */
export function requireKey(minimum: Role) {
	return createMiddleware<AppEnv>(async function requireKey(c, next) {
		const parsed = parseApiKey(bearerToken(c.req.header("Authorization")) ?? "");
		if (!parsed) throw unauthorized();
		const [row] = await db(c.env)
			.select({ key: apiKeys, limits: tenants.limits })
			.from(apiKeys)
			.innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
			.where(eq(apiKeys.id, parsed.id));
		if (!row || row.key.revokedAt || !(await secretsEqual(await hashSecret(parsed.secret), row.key.secretHash))) {
			throw unauthorized();
		}

		const rate = await tenantObject(c.env, row.key.tenantId).takeRequestToken(row.limits);
		c.header("X-RateLimit-Limit", String(rate.limit));
		c.header("X-RateLimit-Remaining", String(rate.remaining));
		c.header("X-RateLimit-Reset", String(rate.reset));
		if (!rate.allowed) {
			throw new ApiError("RATE_LIMITED", `Rate limit exceeded; retry in ${rate.retryAfter} s`, undefined, {
				"Retry-After": String(rate.retryAfter),
			});
		}
		if (!roleAtLeast(row.key.role, minimum)) {
			throw new ApiError("FORBIDDEN", `This action needs the ${minimum} role; the key has ${row.key.role}`);
		}
		c.set("tenantId", row.key.tenantId);
		c.set("keyId", row.key.id);
		c.set("role", row.key.role);
		await next();
	});
}

/**
 * The operator secret `ADMIN_API_KEY`, for tenant management only. A key shorter than
 * MIN_OPERATOR_KEY switches these routes off; failed attempts are throttled per client address.
 */
export const requireOperator = createMiddleware<AppEnv>(async function requireOperator(c, next) {
	if ((c.env.ADMIN_API_KEY ?? "").length < MIN_OPERATOR_KEY) {
		throw new ApiError(
			"SERVICE_UNAVAILABLE",
			`Operator routes are disabled: ADMIN_API_KEY must be set to at least ${MIN_OPERATOR_KEY} characters`,
		);
	}
	const client = c.req.header("CF-Connecting-IP") ?? "unknown";
	const verdict = await operatorGate(c.env, client).attempt(bearerToken(c.req.header("Authorization")));
	if (verdict.retryAfter !== undefined) {
		throw new ApiError(
			"RATE_LIMITED",
			`Too many failed operator attempts; retry in ${verdict.retryAfter} s`,
			undefined,
			{ "Retry-After": String(verdict.retryAfter) },
		);
	}
	if (!verdict.ok) throw new ApiError("UNAUTHORIZED", "This route needs the operator key (ADMIN_API_KEY)");
	await next();
});
