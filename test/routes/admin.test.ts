import { describe, expect, it } from "vitest";
import { call, createTenant, OPERATOR_KEY } from "../helpers";

type ShardList = {
	data: { shard: number; tenants: number; rows: { users: number }; bytes: number }[];
};

const shards = async () => (await (await call("/v1/admin/shards", { key: OPERATOR_KEY })).json<ShardList>()).data;

describe("GET /v1/admin/shards", () => {
	it("reports each shard's tenants, rows and bytes, and a write shows on its tenant's shard only", async () => {
		const { tenant, apiKey } = await createTenant("reported");
		const before = await shards();
		expect(before.map((s) => s.shard)).toEqual([0, 1, 2]);
		expect(before.reduce((n, s) => n + s.tenants, 0)).toBe(1);
		const home = before.find((s) => s.tenants === 1)!.shard;
		expect(tenant).toMatchObject({ shard: home });

		const users = Array.from({ length: 50 }, (_, i) => ({ externalId: `r-${i}`, email: `r${i}@example.com` }));
		expect((await call("/v1/users/bulk", { method: "POST", key: apiKey.key, json: { users } })).status).toBe(200);
		const after = await shards();
		for (const s of after) {
			expect(s.bytes).toBeGreaterThan(0);
			expect(s.rows.users - before[s.shard]!.rows.users).toBe(s.shard === home ? 50 : 0);
		}
		expect(after[home]!.bytes).toBeGreaterThan(before[home]!.bytes);
	});

	it("is for the operator only", async () => {
		const { apiKey } = await createTenant("not operator");
		expect((await call("/v1/admin/shards")).status).toBe(401);
		expect((await call("/v1/admin/shards", { key: apiKey.key })).status).toBe(401);
	});
});
