import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { db, records, shardDatabases } from "../../src/db/client";
import { findTenant } from "../../src/db/queries/tenants";
import { call, countRows, createTenant, shardOf } from "../helpers";

// Every source file's text, bundled by Vite: the tests run in workerd, which has no file system.
const sources = import.meta.glob<string>("../../src/**/*.ts", { query: "?raw", import: "default", eager: true });

describe("record shards", () => {
	it("no source file but src/db/client.ts names a shard binding: every record query goes through records()", () => {
		expect(Object.keys(sources).length).toBeGreaterThan(100);
		const naming = Object.entries(sources)
			.filter(([, text]) => text.includes("DB_SHARD_"))
			.map(([path]) => path);
		expect(naming).toEqual(["../../src/db/client.ts"]);
	});

	it("three shards are bound, and each has the record tables and none of the control ones", async () => {
		expect(shardDatabases(env)).toHaveLength(3);
		for (const shard of shardDatabases(env)) {
			const { results } = await shard
				.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
				.all<{ name: string }>();
			const names = results.map((r) => r.name);
			expect(names).toEqual(expect.arrayContaining(["users", "companies", "enrollments", "job_chunks", "job_errors"]));
			expect(names).not.toContain("tenants");
		}
		const { results } = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{
			name: string;
		}>();
		expect(results.map((r) => r.name)).not.toContain("users");
	});

	it("30 new tenants spread over the 3 shards within one tenant of even", async () => {
		const created = [];
		for (let i = 0; i < 30; i++) created.push((await createTenant(`spread ${i}`)).tenant.id);
		const perShard = [0, 0, 0];
		for (const id of created) perShard[(await findTenant(db(env), id))!.shard]! += 1;
		expect(Math.max(...perShard) - Math.min(...perShard)).toBeLessThanOrEqual(1);
	});

	it("a new tenant goes to the shard with the fewest stored rows, before counting tenants", async () => {
		// Shard 0 and 1 hold rows of tenants the control database does not know; shard 2 holds none.
		const seed = (n: number, count: number) =>
			records(env, n).run(
				`INSERT INTO users (tenant_id, external_id, created_at, updated_at, src_job, src_line)
					SELECT 'rows-only', 'u' || value, '', '', 'seed', value FROM json_each('[${Array.from({ length: count }, (_, i) => i).join(",")}]')`,
			);
		await seed(0, 50);
		await seed(1, 20);
		const { tenant } = await createTenant("light");
		expect((await findTenant(db(env), tenant.id))!.shard).toBe(2);
	});

	it("a tenant's records are written to its shard only", async () => {
		const { tenant, apiKey } = await createTenant("writer");
		const res = await call("/v1/users/bulk", {
			method: "POST",
			key: apiKey.key,
			json: { users: [{ externalId: "only-here" }] },
		});
		expect(res.status).toBe(200);
		const own = await shardOf(tenant.id);
		for (const shard of shardDatabases(env)) {
			const row = await shard
				.prepare("SELECT count(*) AS n FROM users WHERE tenant_id = ?")
				.bind(tenant.id)
				.first<{ n: number }>();
			expect(row!.n).toBe(shard === own ? 1 : 0);
		}
		expect(await countRows("users", tenant.id)).toBe(1);
	});
});
