import { describe, expect, it } from "vitest";
import { call, createTenant, OPERATOR_KEY } from "../helpers";

describe("authentication", () => {
	it("a new tenant's super_admin key works with Bearer and with Token", async () => {
		const { apiKey } = await createTenant();
		expect(apiKey.role).toBe("super_admin");
		expect(apiKey.key).toMatch(/^ck_key_[\w-]+\.[\w-]{43}$/);
		for (const scheme of ["Bearer", "Token"]) {
			const res = await call("/v1/api-keys", { headers: { Authorization: `${scheme} ${apiKey.key}` } });
			expect(res.status).toBe(200);
		}
	});

	it("a missing, malformed or unknown key is 401 with a challenge naming both schemes", async () => {
		const { apiKey } = await createTenant();
		const wrongSecret = apiKey.key.slice(0, -4) + (apiKey.key.endsWith("AAAA") ? "BBBB" : "AAAA");
		for (const header of [undefined, "Bearer", "Bearer nonsense", `Basic ${apiKey.key}`, `Bearer ${wrongSecret}`]) {
			const res = await call("/v1/api-keys", { headers: header ? { Authorization: header } : {} });
			expect(res.status).toBe(401);
			const body = await res.json<{ error: { code: string; requestId: string } }>();
			expect(body.error.code).toBe("UNAUTHORIZED");
			expect(body.error.requestId).toBe(res.headers.get("X-Request-Id"));
			expect(res.headers.get("WWW-Authenticate")).toBe(
				header
					? 'Bearer realm="cohort", error="invalid_token", Token realm="cohort"'
					: 'Bearer realm="cohort", Token realm="cohort"',
			);
		}
	});

	it("tenant keys cannot create tenants and the operator secret is no tenant key", async () => {
		const { apiKey } = await createTenant();
		const asTenant = await call("/v1/tenants", { method: "POST", key: apiKey.key, json: { name: "Evil" } });
		expect(asTenant.status).toBe(401);
		expect(asTenant.headers.get("WWW-Authenticate")).toBe(
			'Bearer realm="cohort-operator", error="invalid_token", Token realm="cohort-operator"',
		);
		expect((await call("/v1/api-keys", { key: OPERATOR_KEY })).status).toBe(401);
	});
});
