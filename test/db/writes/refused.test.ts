import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { records, shardDatabases } from "../../../src/db/client";
import { writeRecords } from "../../../src/db/writes";
import { writeChunk } from "../../../src/jobs/consumer";
import { ImportOptions } from "../../../src/schemas/records";
import { call, countRows, createTenant, type JobView, shardOf, upload, waitForJob } from "../../helpers";
import { writeContext as ctx } from "./context";

// Every shard's database itself refuses these users, as SQLite's JSON functions refuse data nested too deeply.
beforeAll(async () => {
	for (const shard of shardDatabases(env)) {
		await shard
			.prepare(
				"CREATE TRIGGER refuse_poison BEFORE INSERT ON users WHEN NEW.external_id LIKE 'poison%' BEGIN SELECT RAISE(ABORT, 'refused for the test'); END",
			)
			.run();
	}
});
afterAll(async () => {
	for (const shard of shardDatabases(env)) await shard.prepare("DROP TRIGGER refuse_poison").run();
});

const users = async (tenantId: string) =>
	(await shardOf(tenantId))
		.prepare("SELECT external_id AS id FROM users WHERE tenant_id = ? ORDER BY id")
		.bind(tenantId)
		.all<{ id: string }>()
		.then((r) => r.results.map((u) => u.id));

describe("records the database refuses", () => {
	it("fail alone with their index while every other record of the batch is written once", async () => {
		const items = Array.from({ length: 300 }, (_, i) => ({
			ref: i,
			value: { externalId: [17, 250].includes(i) ? `poison-${i}` : `ok-${i}`, email: `u${i}@example.com` },
		}));
		const outcome = await writeRecords(
			records(env, 0),
			ctx("t-refused", "job-r", { sendWelcomeEmail: true }),
			"users",
			items,
		);
		expect(outcome).toMatchObject({ created: 298, updated: 0, skipped: 0, failed: 2 });
		expect(outcome.errors).toEqual([
			{
				ref: 17,
				externalId: "poison-17",
				email: "u17@example.com",
				code: "VALIDATION_ERROR",
				error: "The database could not store this record",
			},
			{
				ref: 250,
				externalId: "poison-250",
				email: "u250@example.com",
				code: "VALIDATION_ERROR",
				error: "The database could not store this record",
			},
		]);
		const stored = await users("t-refused");
		expect(stored).toHaveLength(298);
		expect(stored.filter((id) => id.startsWith("poison"))).toEqual([]);
		expect(await countRows("notifications", "t-refused")).toBe(298);
	});

	it("are not blamed when what fails is the batch's own bookkeeping", async () => {
		const items = [{ ref: 0, value: { externalId: "innocent" } }];
		const failingLedger = () => [
			sql`INSERT INTO job_chunks (job_id, chunk, created, updated, skipped, failed) VALUES (NULL, 0, 0, 0, 0, 0)`,
		];
		await expect(
			writeRecords(records(env, 0), ctx("t-innocent", "job-i"), "users", items, failingLedger),
		).rejects.toThrow(/NOT NULL constraint failed/);
		expect(await users("t-innocent")).toEqual([]);
	});

	it("make a synchronous bulk request answer 200 with the failure, not 500", async () => {
		const { tenant, apiKey } = await createTenant();
		const res = await call("/v1/users/bulk", {
			method: "POST",
			key: apiKey.key,
			json: { users: [{ externalId: "fine-1" }, { externalId: "poison-1" }, { externalId: "fine-2" }] },
		});
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({
			successful: 2,
			failed: 1,
			created: 2,
			updated: 0,
			unchanged: 0,
			skipped: 0,
			errors: [
				{
					index: 1,
					externalId: "poison-1",
					code: "VALIDATION_ERROR",
					error: "The database could not store this record",
				},
			],
		});
		expect(await users(tenant.id)).toEqual(["fine-1", "fine-2"]);
	});

	it("in a file fail alone by line, and a redelivered chunk writes and counts nothing twice", async () => {
		const { tenant, apiKey } = await createTenant();
		const poisoned = new Set([3, 9_999, 11_600]);
		const lines = Array.from({ length: 12_000 }, (_, i) =>
			JSON.stringify({ externalId: poisoned.has(i + 1) ? `poison-${i}` : `file-${i}` }),
		);
		const res = await upload(apiKey.key, "type=users", `${lines.join("\n")}\n`, {
			"Content-Type": "application/x-ndjson",
		});
		const job = await waitForJob(apiKey.key, (await res.json<JobView>()).id);
		expect(job).toMatchObject({ status: "completed", counts: { total: 12_000, created: 11_997, failed: 3 } });
		const report = (await (await call(job.links.errors, { key: apiKey.key })).text()).trim().split("\n");
		expect(report.map((row) => JSON.parse(row).line)).toEqual([3, 9_999, 11_600]);
		expect(JSON.parse(report[0]!)).toMatchObject({
			code: "VALIDATION_ERROR",
			error: "The database could not store this record",
		});

		const message = {
			tenantId: tenant.id,
			jobId: job.id,
			chunk: 0,
			firstLine: 1,
			recordType: "users" as const,
			format: "ndjson" as const,
			origin: "file" as const,
			options: ImportOptions.parse({}),
		};
		expect(await writeChunk(env, message)).toEqual({ created: 9_998, updated: 0, unchanged: 0, skipped: 0, failed: 2 });
		expect(await countRows("users", tenant.id)).toBe(11_997);
		const errors = await (await shardOf(tenant.id))
			.prepare("SELECT count(*) AS n FROM job_errors WHERE job_id = ?")
			.bind(job.id)
			.first<{ n: number }>();
		expect(errors!.n).toBe(3);
	});
});
