import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { db } from "../../src/db/client";
import { findKey } from "../../src/db/queries/api-keys";
import { KeyCache } from "../../src/tenant/keys";
import { call, createKey, createTenant } from "../helpers";

const stubFor = (tenantId: string) => env.TENANT.get(env.TENANT.idFromName(tenantId));

const remaining = (res: Response) => Number(res.headers.get("X-RateLimit-Remaining"));

describe("the tenant object's keys", () => {
	it("a revoked key is refused on the very next request, and the tenant's other keys go on working", async () => {
		const { apiKey } = await createTenant();
		const admin = await createKey(apiKey.key, "admin");
		for (let i = 0; i < 3; i++) expect((await call("/v1/users", { key: admin.key })).status).toBe(200);
		expect((await call(`/v1/api-keys/${admin.id}`, { method: "DELETE", key: apiKey.key })).status).toBe(204);
		expect((await call("/v1/users", { key: admin.key })).status).toBe(401);
		expect((await call("/v1/api-keys", { key: apiKey.key })).status).toBe(200);
	});

	it("a role changed in the control database holds from the next request once the object forgets its keys", async () => {
		const { tenant, apiKey } = await createTenant();
		const manager = await createKey(apiKey.key, "super_admin", "manager");
		expect((await call("/v1/api-keys", { key: manager.key })).status).toBe(200);
		await env.DB.prepare("UPDATE api_keys SET role = 'admin' WHERE id = ?").bind(manager.id).run();
		await stubFor(tenant.id).forgetKeys();
		const refused = await call("/v1/api-keys", { key: manager.key });
		expect(refused.status).toBe(403);
		expect((await refused.json<{ error: { message: string } }>()).error.message).toContain("the key has admin");
	});

	it("a wrong secret for a key the object holds is 401 and takes no token", async () => {
		const { apiKey } = await createTenant();
		const wrong = apiKey.key.slice(0, -4) + (apiKey.key.endsWith("AAAA") ? "BBBB" : "AAAA");
		const before = remaining(await call("/v1/users", { key: apiKey.key }));
		expect((await call("/v1/users", { key: wrong })).status).toBe(401);
		expect(remaining(await call("/v1/users", { key: apiKey.key }))).toBe(before - 1);
	});

	it("a read that began before a forget answers its request but is not kept", async () => {
		const { apiKey } = await createTenant();
		const id = apiKey.id;
		let reads = 0;
		let release = () => {};
		const gate = new Promise<void>((resolve) => {
			release = resolve;
		});
		const keys = new KeyCache(async (key) => {
			reads++;
			if (reads === 1) await gate;
			return findKey(db(env), key);
		});
		const first = keys.get(id);
		keys.forget();
		release();
		expect((await first)?.key.id).toBe(id);
		await env.DB.prepare("UPDATE api_keys SET revoked_at = '2026-01-01T00:00:00Z' WHERE id = ?").bind(id).run();
		expect((await keys.get(id))?.key.revokedAt).toBe("2026-01-01T00:00:00Z");
		expect(reads).toBe(2);
		await keys.get(id);
		expect(reads).toBe(2);
	});
});
