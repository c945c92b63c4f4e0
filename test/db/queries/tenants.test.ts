import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { db } from "../../../src/db/client";
import { findTenant, insertTenant, setTenantLimits, tenantIds } from "../../../src/db/queries/tenants";

describe("tenant queries", () => {
	it("a tenant's limits are replaced as given, and every tenant is listed", async () => {
		const database = db(env);
		const tenant = { id: "ten_q1", name: "Q", limits: { burst: 5 }, createdAt: "2026-01-01T00:00:00Z", shard: 2 };
		await insertTenant(database, tenant);
		await insertTenant(database, { ...tenant, id: "ten_q2", limits: {} });
		expect(await findTenant(database, "ten_q1")).toEqual({ ...tenant, writesPausedUntil: null });
		const updated = await setTenantLimits(database, "ten_q1", { requestsPerMinute: 10 });
		expect(updated?.limits).toEqual({ requestsPerMinute: 10 });
		expect((await findTenant(database, "ten_q1"))?.limits).toEqual({ requestsPerMinute: 10 });
		expect(await setTenantLimits(database, "ten_missing", {})).toBeUndefined();
		expect((await tenantIds(database)).sort()).toEqual(expect.arrayContaining(["ten_q1", "ten_q2"]));
	});
});
