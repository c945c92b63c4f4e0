import { describe, expect, it } from "vitest";
import { call, createKey, createTenant, OPERATOR_KEY } from "../helpers";

describe("API keys and roles", () => {
	it("a new tenant's super_admin key works with Bearer and with Token", async () => {
		const { apiKey } = await createTenant();
		expect(apiKey.role).toBe("super_admin");
		expect(apiKey.key).toMatch(/^ck_key_[\w-]+\.[\w-]{43}$/);
		for (const scheme of ["Bearer", "Token"]) {
			const res = await call("/v1/api-keys", { headers: { Authorization: `${scheme} ${apiKey.key}` } });
			expect(res.status).toBe(200);
		}
	});

	it("a missing, malformed or unknown key is 401", async () => {
		const { apiKey } = await createTenant();
		const wrongSecret = apiKey.key.slice(0, -4) + (apiKey.key.endsWith("AAAA") ? "BBBB" : "AAAA");
		for (const header of [undefined, "Bearer", "Bearer nonsense", `Basic ${apiKey.key}`, `Bearer ${wrongSecret}`]) {
			const res = await call("/v1/api-keys", { headers: header ? { Authorization: header } : {} });
			expect(res.status).toBe(401);
			const body = await res.json<{ error: { code: string; requestId: string } }>();
			expect(body.error.code).toBe("UNAUTHORIZED");
			expect(body.error.requestId).toBe(res.headers.get("X-Request-Id"));
		}
	});

	it("the key list never returns keys or hashes", async () => {
		const { apiKey } = await createTenant();
		const viewer = await createKey(apiKey.key, "viewer", "dashboards");
		const res = await call("/v1/api-keys", { key: apiKey.key });
		const text = await res.text();
		const { data } = JSON.parse(text) as { data: { name: string; role: string }[] };
		expect(data.map((k) => [k.name, k.role]).sort()).toEqual([
			["dashboards", "viewer"],
			["initial super_admin key", "super_admin"],
		]);
		for (const key of [apiKey.key, viewer.key]) expect(text).not.toContain(key.split(".")[1]);
		expect(text).not.toMatch(/hash|secret|"key"/i);
	});

	it("a revoked key fails at once", async () => {
		const { apiKey } = await createTenant();
		const admin = await createKey(apiKey.key, "admin");
		expect((await call("/v1/health", { key: admin.key })).status).toBe(200);
		expect((await call(`/v1/api-keys/${admin.id}`, { method: "DELETE", key: apiKey.key })).status).toBe(204);
		const res = await call("/v1/api-keys", { key: admin.key });
		expect(res.status).toBe(401);
		expect((await call(`/v1/api-keys/${admin.id}`, { method: "DELETE", key: apiKey.key })).status).toBe(204);
	});

	it("a viewer cannot write and an admin cannot manage keys", async () => {
		const { apiKey } = await createTenant();
		const viewer = await createKey(apiKey.key, "viewer");
		const admin = await createKey(apiKey.key, "admin");
		const asViewer = await call("/v1/api-keys", {
			method: "POST",
			key: viewer.key,
			json: { name: "x", role: "viewer" },
		});
		expect(asViewer.status).toBe(403);
		expect((await asViewer.json<{ error: { code: string } }>()).error.code).toBe("FORBIDDEN");
		expect((await call("/v1/api-keys", { key: admin.key })).status).toBe(403);
	});

	it("tenant B gets 404 for tenant A's key id and cannot revoke it", async () => {
		const a = await createTenant("A");
		const b = await createTenant("B");
		const res = await call(`/v1/api-keys/${a.apiKey.id}`, { method: "DELETE", key: b.apiKey.key });
		expect(res.status).toBe(404);
		expect((await res.json<{ error: { code: string } }>()).error.code).toBe("NOT_FOUND");
		expect((await call("/v1/api-keys", { key: a.apiKey.key })).status).toBe(200);
	});

	it("tenant keys cannot create tenants and the operator secret is no tenant key", async () => {
		const { apiKey } = await createTenant();
		const asTenant = await call("/v1/tenants", { method: "POST", key: apiKey.key, json: { name: "Evil" } });
		expect(asTenant.status).toBe(401);
		expect((await call("/v1/api-keys", { key: OPERATOR_KEY })).status).toBe(401);
	});
});
