import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { db } from "../db/client";
import { findKey } from "../db/queries/api-keys";
import type { TenantLimits } from "../schemas/tenants";
import { unauthorized } from "./challenge";
import { bearerToken, hashSecret, parseApiKey, type Role, secretsEqual } from "./keys";
import type { RateDecision } from "./rate-limit";
import { sessionKey } from "./session";

/** The realm of tenant keys, in the challenge of every 401 they get. */
export const TENANT_REALM = "cohort";

/** A verified key with its tenant's limits and shard, and the request token taken for it. */
export type Admission = {
	key: { id: string; tenantId: string; name: string; role: Role };
	limits: TenantLimits;
	shard: number;
	rate: RateDecision;
};

export type AuthenticateOptions = {
	/**
	 * Verifies a key of the tenant against its secret's hash and takes a request token, in one call
	 * to the tenant's state (which auth/ does not reach); undefined for an unknown or revoked key.
	 */
	admit: (env: Env, tenantId: string, keyId: string, secretHash: string) => Promise<Admission | undefined>;
};

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

// A key never moves to another tenant, so what this isolate has learned of a key's tenant stays
// true; whether the key is still valid is asked of the tenant's object on every request.
const keyTenants = new Map<string, string>();
const MAX_KEY_TENANTS = 10_000;

async function tenantOfKey(env: Env, keyId: string): Promise<string | undefined> {
	const known = keyTenants.get(keyId);
	if (known) return known;
	const row = await findKey(db(env), keyId);
	if (!row) return undefined;
	if (keyTenants.size >= MAX_KEY_TENANTS) keyTenants.clear();
	keyTenants.set(keyId, row.key.tenantId);
	return row.key.tenantId;
}

/** A presented API key admitted by its tenant's object, or undefined when it is malformed, unknown or revoked. */
async function admitKey(env: Env, token: string | undefined, admit: AuthenticateOptions["admit"]) {
	const parsed = parseApiKey(token ?? "");
	if (!parsed) return undefined;
	const tenantId = await tenantOfKey(env, parsed.id);
	return tenantId ? admit(env, tenantId, parsed.id, await hashSecret(parsed.secret)) : undefined;
}

/**
 * A tenant API key (`Authorization: Bearer` or `Token`), or the dashboard's session cookie: sets
 * the key's tenant, the tenant's limits and shard and the key's role. A key is checked by its
 * tenant's object, which learns of a revocation before the revocation is answered, so a revoked key
 * fails on the very next request; the same call takes the request token the rate limit reads.
 */
export function authenticate({ admit }: AuthenticateOptions) {
	return createMiddleware<AppEnv>(async function authenticate(c, next) {
		const admitted: (Omit<Admission, "rate"> & { rate?: RateDecision }) | undefined =
			(await sessionKey(c)) ?? (await admitKey(c.env, bearerToken(c.req.header("Authorization")), admit));
		if (!admitted) {
			const presented = c.req.header("Authorization") !== undefined;
			throw unauthorized("Missing, unknown or revoked API key", TENANT_REALM, presented);
		}
		c.set("tenantId", admitted.key.tenantId);
		c.set("limits", admitted.limits);
		c.set("shard", admitted.shard);
		c.set("role", admitted.key.role);
		c.set("createdBy", { keyId: admitted.key.id, keyName: admitted.key.name });
		if (admitted.rate) c.set("rate", admitted.rate);
		await next();
	});
}
