import type { Db } from "../db/client";
import { apiKeys } from "../db/schema";
import { hashSecret, newApiKey, type Role } from "./keys";

/** Prepares a key row (to batch with other writes) and the one response that will ever show the key. */
export async function issueKey(database: Db, tenantId: string, name: string, role: Role) {
	const { id, secret, key } = newApiKey();
	const createdAt = new Date().toISOString();
	const insert = database
		.insert(apiKeys)
		.values({ id, tenantId, name, role, secretHash: await hashSecret(secret), createdAt });
	return { insert, created: { id, name, role, key, createdAt } };
}
