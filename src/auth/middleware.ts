import { eq } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { db } from "../db/client";
import { apiKeys, tenants } from "../db/schema";
import { ApiError } from "../errors";
import { tenantObject } from "../tenant/object";
import { bearerToken, hashSecret, parseApiKey, type Role, roleAtLeast, secretsEqual } from "./keys";
import { sessionKey } from "./session";

const unauthorized = () => new ApiError("UNAUTHORIZED", "Missing, unknown or revoked API key");

/** The key row for a presented key, or undefined when it is malformed, unknown or revoked. */
export async function verifyKey(env: Env, token: string | undefined) {
	const parsed = parseApiKey(token ?? "");
	if (!parsed) return undefined;
	const [row] = await db(env)
		.select({ key: apiKeys, limits: tenants.limits })
		.from(apiKeys)
		.innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
		.where(eq(apiKeys.id, parsed.id));
	if (!row || row.key.revokedAt || !(await secretsEqual(await hashSecret(parsed.secret), row.key.secretHash))) {
		return undefined;
	}
	return row;
}

/** Tenant API key (or the dashboard's session cookie): authenticates, takes a rate-limit token, then checks the role. */
export function requireKey(minimum: Role) {
	return createMiddleware<AppEnv>(async function requireKey(c, next) {
		const row = (await sessionKey(c)) ?? (await verifyKey(c.env, bearerToken(c.req.header("Authorization"))));
		if (!row) throw unauthorized();

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

/** The operator secret `ADMIN_API_KEY`, for tenant management only. */
export const requireOperator = createMiddleware<AppEnv>(async function requireOperator(c, next) {
	const token = bearerToken(c.req.header("Authorization"));
	if (!token || !c.env.ADMIN_API_KEY || !(await secretsEqual(token, c.env.ADMIN_API_KEY))) {
		throw new ApiError("UNAUTHORIZED", "This route needs the operator key (ADMIN_API_KEY)");
	}
	await next();
});
