import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { db } from "../db/client";
import { findKey } from "../db/queries/api-keys";
import { unauthorized } from "./challenge";
import { bearerToken, hashSecret, parseApiKey, secretsEqual } from "./keys";
import { sessionKey } from "./session";

/** The realm of tenant keys, in the challenge of every 401 they get. */
export const TENANT_REALM = "cohort";

/** The key row for a presented key, or undefined when it is malformed, unknown or revoked. */
export async function verifyKey(env: Env, token: string | undefined) {
	const parsed = parseApiKey(token ?? "");
	if (!parsed) return undefined;
	const row = await findKey(db(env), parsed.id);
	if (!row || row.key.revokedAt || !(await secretsEqual(await hashSecret(parsed.secret), row.key.secretHash))) {
		return undefined;
	}
	return row;
}

/**
 * A tenant API key (`Authorization: Bearer` or `Token`), or the dashboard's session cookie: sets
 * the key's tenant, the tenant's limits and the key's role. Revocation is read on every request,
 * so a revoked key fails at once.
 */
export const authenticate = createMiddleware<AppEnv>(async function authenticate(c, next) {
	const row = (await sessionKey(c)) ?? (await verifyKey(c.env, bearerToken(c.req.header("Authorization"))));
	if (!row) {
		const presented = c.req.header("Authorization") !== undefined;
		throw unauthorized("Missing, unknown or revoked API key", TENANT_REALM, presented);
	}
	c.set("tenantId", row.key.tenantId);
	c.set("limits", row.limits);
	c.set("shard", row.shard);
	c.set("writesPausedUntil", row.writesPausedUntil ?? 0);
	c.set("role", row.key.role);
	c.set("createdBy", { keyId: row.key.id, keyName: row.key.name });
	await next();
});
