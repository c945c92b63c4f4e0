import { describe, expect, it } from "vitest";
import { call, createKey, createTenant } from "../helpers";

describe("API keys", () => {
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

	it("an invalid role is a 400 naming the field", async () => {
		const { apiKey } = await createTenant();
		const res = await call("/v1/api-keys", { method: "POST", key: apiKey.key, json: { name: "x", role: "owner" } });
		expect(res.status).toBe(400);
		expect((await res.json<{ error: { details: { path: string }[] } }>()).error.details[0]!.path).toBe("role");
	});
});
