import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { db } from "../../src/db/client";
import { findTenant } from "../../src/db/queries/tenants";
import { call, createTenant, OPERATOR_KEY } from "../helpers";

describe("tenants (operator)", () => {
	it("a new tenant comes with its limits and a super_admin key that is shown once and works", async () => {
		const res = await call("/v1/tenants", {
			method: "POST",
			key: OPERATOR_KEY,
			json: { name: " Acme ", limits: { burst: 20 } },
		});
		expect(res.status).toBe(201);
		const { tenant, apiKey } = await res.json<{
			tenant: { id: string; name: string; limits: object };
			apiKey: { id: string; key: string; role: string };
		}>();
		expect(tenant).toMatchObject({ name: "Acme", limits: { burst: 20 } });
		expect(apiKey.role).toBe("super_admin");
		const keys = await call("/v1/api-keys", { key: apiKey.key });
		expect(keys.status).toBe(200);
		expect(keys.headers.get("X-RateLimit-Limit")).toBe("20");
		expect(await keys.text()).not.toContain(apiKey.key);
	});

	it("PATCH merges the given limits into the tenant's own", async () => {
		const { tenant } = await createTenant("Merge", { burst: 9, recordsPerMinute: 500 });
		const res = await call(`/v1/tenants/${tenant.id}`, {
			method: "PATCH",
			key: OPERATOR_KEY,
			json: { limits: { burst: 3 } },
		});
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ id: tenant.id, limits: { burst: 3, recordsPerMinute: 500 } });
	});

	it("a PATCH of an unknown tenant is 404", async () => {
		const res = await call("/v1/tenants/ten_missing", {
			method: "PATCH",
			key: OPERATOR_KEY,
			json: { limits: { burst: 5 } },
		});
		expect(res.status).toBe(404);
	});

	it("the operator may name the shard a new tenant goes to, one that exists", async () => {
		const create = (shard: number) =>
			call("/v1/tenants", { method: "POST", key: OPERATOR_KEY, json: { name: `On ${shard}`, shard } });
		for (const shard of [2, 2, 1]) {
			const res = await create(shard);
			expect(res.status).toBe(201);
			const { tenant } = await res.json<{ tenant: { id: string; shard: number } }>();
			expect(tenant.shard).toBe(shard);
			expect((await findTenant(db(env), tenant.id))?.shard).toBe(shard);
		}
		for (const shard of [3, -1]) {
			const res = await create(shard);
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({ error: { code: "VALIDATION_ERROR", details: [{ path: "shard" }] } });
		}
	});
});
