import { hashSecret, newApiKey, type Role } from "../auth/keys";
import { db } from "../db/client";
import { insertKey, revokeKey } from "../db/queries/api-keys";
import { ApiError } from "../errors";
import { tenantObject } from "./tenant";

/** A key's row (its secret only as a hash) and the one answer that will ever show the key. */
export async function newKey(tenantId: string, name: string, role: Role) {
	const { id, secret, key } = newApiKey();
	const createdAt = new Date().toISOString();
	return {
		row: { id, tenantId, name, role, secretHash: await hashSecret(secret), createdAt },
		shown: { id, name, role, key, createdAt },
	};
}

export async function createKey(env: Env, tenantId: string, name: string, role: Role) {
	const key = await newKey(tenantId, name, role);
	await insertKey(db(env), key.row);
	return key.shown;
}

/**
 * Revoking twice is a no-op; another tenant's key answers 404 like a missing one. The tenant's
 * object forgets its keys before the answer, so the key fails on the next request.
 */
export async function revoke(env: Env, tenantId: string, id: string): Promise<void> {
	if (!(await revokeKey(db(env), tenantId, id, new Date().toISOString()))) {
		throw new ApiError("NOT_FOUND", `API key ${id} not found`);
	}
	await tenantObject(env, tenantId).forgetKeys();
}
