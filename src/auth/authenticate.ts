import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { db } from "../db/client";
import { findKey } from "../db/queries/api-keys";
import { ApiError } from "../errors";
import { bearerToken, hashSecret, parseApiKey, secretsEqual } from "./keys";

const unauthorized = () => new ApiError("UNAUTHORIZED", "Missing, unknown or revoked API key");

/**
 * A tenant API key (`Authorization: Bearer` or `Token`): sets the key's tenant, the tenant's
 * limits and the key's role. Revocation is read on every request, so a revoked key fails at once.
 */
export const authenticate = createMiddleware<AppEnv>(async function authenticate(c, next) {
	const parsed = parseApiKey(bearerToken(c.req.header("Authorization")) ?? "");
	if (!parsed) throw unauthorized();
	const row = await findKey(db(c.env), parsed.id);
	if (!row || row.key.revokedAt || !(await secretsEqual(await hashSecret(parsed.secret), row.key.secretHash))) {
		throw unauthorized();
	}
	c.set("tenantId", row.key.tenantId);
	c.set("limits", row.limits);
	c.set("role", row.key.role);
	await next();
});
