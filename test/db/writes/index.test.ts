import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { records } from "../../../src/db/client";
import { noD1Usage } from "../../../src/db/metered";
import { writeRecords } from "../../../src/db/writes";
import { firstShard } from "../../helpers";
import { writeContext as ctx } from "./context";

const firstName = async (tenantId: string, externalId: string) =>
	(
		await firstShard()
			.prepare("SELECT first_name AS f FROM users WHERE tenant_id = ? AND external_id = ?")
			.bind(tenantId, externalId)
			.first<{ f: string }>()
	)?.f;

describe("the write path", () => {
	it("a later line of the same job wins even when it is written first", async () => {
		const database = records(env, 0);
		const late = await writeRecords(database, ctx("t-order", "job-1"), "users", [
			{ ref: 900, value: { externalId: "x", firstName: "late" } },
		]);
		const early = await writeRecords(database, ctx("t-order", "job-1"), "users", [
			{ ref: 3, value: { externalId: "x", firstName: "early" } },
		]);
		expect(late).toMatchObject({ created: 1 });
		expect(early).toMatchObject({ skipped: 1, updated: 0 });
		expect(await firstName("t-order", "x")).toBe("late");
		const nextJob = await writeRecords(database, ctx("t-order", "job-2"), "users", [
			{ ref: 1, value: { externalId: "x", firstName: "next job" } },
		]);
		expect(nextJob).toMatchObject({ updated: 1 });
		expect(await firstName("t-order", "x")).toBe("next job");
	});

	it("users whose identities need quoting in SQL are found again, and a stored user costs 2 rows read", async () => {
		const database = records(env, 0);
		// Quotes and SQL punctuation go into the lookup as literals; characters outside the BMP go
		// through json_each (src/db/writes/users.ts). Ids with control characters are refused earlier.
		const ids = ["o'brien", "a''b", "x');DROP TABLE users;--", "émile\u2028", "emoji😀", "plain"];
		const items = ids.map((externalId, i) => ({
			ref: i + 2,
			value: { externalId, email: `${i}'q@example.com`, firstName: "A" },
		}));
		const first = await writeRecords(database, ctx("t-quote", "job-q1"), "users", items);
		expect(first).toMatchObject({ created: ids.length, failed: 0 });
		const again = await writeRecords(database, ctx("t-quote", "job-q2"), "users", items);
		expect(again).toMatchObject({ unchanged: ids.length, created: 0, failed: 0 });
		const changed = await writeRecords(
			database,
			ctx("t-quote", "job-q3"),
			"users",
			items.map((item) => ({ ...item, value: { ...item.value, firstName: "B" } })),
		);
		expect(changed).toMatchObject({ updated: ids.length, created: 0, failed: 0 });
		expect(await firstName("t-quote", "x');DROP TABLE users;--")).toBe("B");
		expect(await firstName("t-quote", "emoji😀")).toBe("B");

		const usage = noD1Usage();
		const plain = Array.from({ length: 100 }, (_, i) => ({ ref: i, value: { externalId: `r${i}`, firstName: "A" } }));
		await writeRecords(database, ctx("t-quote", "job-q4"), "users", plain);
		await writeRecords(records(env, 0, usage), ctx("t-quote", "job-q5"), "users", plain);
		// 2 per stored user, and 1 for each of the two users the new-chunk probe looked for first.
		expect(usage).toEqual({ rowsRead: 202, rowsWritten: 0 });
	});

	it("writing the same chunk twice changes nothing the second time and sends no second welcome", async () => {
		const database = records(env, 0);
		const items = Array.from({ length: 50 }, (_, i) => ({
			ref: i + 2,
			value: { externalId: `u${i}`, email: `u${i}@example.com` },
		}));
		await writeRecords(database, ctx("t-twice", "job-9", { sendWelcomeEmail: true }), "users", items);
		const before = await firstShard().prepare("SELECT * FROM users WHERE tenant_id = 't-twice' ORDER BY id").all();
		await writeRecords(database, ctx("t-twice", "job-9", { sendWelcomeEmail: true }), "users", items);
		const after = await firstShard().prepare("SELECT * FROM users WHERE tenant_id = 't-twice' ORDER BY id").all();
		expect(after.results.map((r) => ({ ...r, updated_at: 0 }))).toEqual(
			before.results.map((r) => ({ ...r, updated_at: 0 })),
		);
		const sent = await firstShard()
			.prepare("SELECT count(*) AS n FROM notifications WHERE tenant_id = 't-twice'")
			.first<{
				n: number;
			}>();
		expect(sent!.n).toBe(50);
	});

	it("concurrent writers of the same new identities end with one row each and exact totals", async () => {
		const database = records(env, 0);
		const items = Array.from({ length: 200 }, (_, i) => ({ ref: i, value: { externalId: `c${i}` } }));
		const outcomes = await Promise.all(
			[1, 2, 3].map((n) => writeRecords(database, ctx("t-race", `req-${n}`), "users", items)),
		);
		for (const o of outcomes) expect(o.created + o.updated + o.unchanged).toBe(200);
		expect(outcomes.reduce((sum, o) => sum + o.created, 0)).toBe(200);
		const rows = await firstShard().prepare("SELECT count(*) AS n FROM users WHERE tenant_id = 't-race'").first<{
			n: number;
		}>();
		expect(rows!.n).toBe(200);
	});

	it("records stored between a chunk's new first and last records are found and updated, not created again", async () => {
		const database = records(env, 0);
		await writeRecords(database, ctx("t-guess", "job-1"), "users", [
			{ ref: 1, value: { externalId: "kept", firstName: "old" } },
			{ ref: 2, value: { email: "adopt@example.com", firstName: "old" } },
		]);
		const outcome = await writeRecords(database, ctx("t-guess", "job-2"), "users", [
			{ ref: 1, value: { externalId: "first" } },
			{ ref: 2, value: { externalId: "kept", firstName: "new" } },
			{ ref: 3, value: { externalId: "adopter", email: "ADOPT@example.com" } },
			{ ref: 4, value: { externalId: "last" } },
		]);
		expect(outcome).toMatchObject({ created: 2, updated: 2, failed: 0 });
		expect(outcome.results.map((r) => r.outcome)).toEqual(["created", "updated", "updated", "created"]);
		expect(await firstName("t-guess", "kept")).toBe("new");
		expect(await firstName("t-guess", "adopter")).toBe("old");
		const count = await firstShard()
			.prepare("SELECT count(*) AS n FROM users WHERE tenant_id = 't-guess'")
			.first<{ n: number }>();
		expect(count!.n).toBe(4);
	});

	it("records too large for one statement parameter are split across statements", async () => {
		const database = records(env, 0);
		const big = "x".repeat(15_000);
		const items = Array.from({ length: 150 }, (_, i) => ({
			ref: i,
			value: { externalId: `b${i}`, customFields: { notes: big } },
		}));
		const outcome = await writeRecords(database, ctx("t-big", "job-big"), "users", items);
		expect(outcome).toMatchObject({ created: 150, failed: 0 });
		const row = await firstShard()
			.prepare("SELECT custom_fields AS c FROM users WHERE tenant_id = 't-big' AND external_id = 'b149'")
			.first<{ c: string }>();
		expect(JSON.parse(row!.c)).toEqual({ notes: big });
	});

	it("an update writes the fields it carries and keeps the others, JSON fields as objects", async () => {
		const database = records(env, 0);
		const row = () =>
			firstShard()
				.prepare(
					"SELECT email, first_name AS firstName, last_name AS lastName, custom_fields AS customFields, metadata FROM users WHERE tenant_id = 't-keep' AND external_id = 'k'",
				)
				.first<Record<string, string>>();
		await writeRecords(database, ctx("t-keep", "req-1"), "users", [
			{
				ref: 0,
				value: {
					externalId: "k",
					email: "k@example.com",
					firstName: "Kim",
					lastName: "Lee",
					customFields: { team: "Red" },
					metadata: { level: 3, active: true },
				},
			},
		]);
		await writeRecords(database, ctx("t-keep", "req-2", { upsert: true }), "users", [
			{ ref: 0, value: { externalId: "k", firstName: "Kira" } },
		]);
		expect(await row()).toEqual({
			email: "k@example.com",
			firstName: "Kira",
			lastName: "Lee",
			customFields: '{"team":"Red"}',
			metadata: '{"level":3,"active":true}',
		});
	});
});

describe("customFields and metadata", () => {
	const stored = async (tenantId: string) => {
		const row = await firstShard()
			.prepare(
				"SELECT custom_fields AS c, metadata AS m, updated_at AS at FROM users WHERE tenant_id = ? AND external_id = 'p'",
			)
			.bind(tenantId)
			.first<{ c: string | null; m: string | null; at: string }>();
		return { customFields: JSON.parse(row!.c ?? "null"), metadata: JSON.parse(row!.m ?? "null"), at: row!.at };
	};
	const identify = (tenantId: string, source: string, value: object, options: object = {}) =>
		writeRecords(records(env, 0), ctx(tenantId, source, options), "users", [
			{ ref: 0, value: { externalId: "p", ...value } },
		]);

	it("merge key by key: one changed attribute keeps the others, a key sent as null is removed", async () => {
		const attributes = { plan: "pro", seats: 5, trial: false, address: { city: "Oslo", zip: "0150" }, tags: ["a"] };
		await identify("t-merge", "req-1", { customFields: { ...attributes, gone: null }, metadata: { a: 1, b: true } });
		expect(await stored("t-merge")).toMatchObject({ customFields: attributes, metadata: { a: 1, b: true } });
		const outcome = await identify("t-merge", "req-2", {
			customFields: { seats: 6, address: { city: "Bergen" }, tags: null },
			metadata: { b: null, c: "x" },
		});
		expect(outcome).toMatchObject({ updated: 1, unchanged: 0 });
		expect(await stored("t-merge")).toMatchObject({
			customFields: { plan: "pro", seats: 6, trial: false, address: { city: "Bergen" } },
			metadata: { a: 1, c: "x" },
		});
	});

	it("replaceFields replaces both objects whole", async () => {
		await identify("t-replace", "req-1", { customFields: { a: 1, b: 2 }, metadata: { x: "1", y: "2" } });
		await identify("t-replace", "req-2", { customFields: { b: 3 }, metadata: { z: null } }, { replaceFields: true });
		expect(await stored("t-replace")).toMatchObject({ customFields: { b: 3 }, metadata: { z: null } });
	});

	it("a record equal to what is stored is unchanged: no write, updatedAt kept", async () => {
		await identify("t-same", "req-1", {
			email: "p@example.com",
			firstName: "Pat",
			customFields: { a: { b: 1 }, c: 2 },
		});
		const before = await stored("t-same");
		const again = await identify("t-same", "req-2", { firstName: "Pat", customFields: { c: 2, a: { b: 1 }, d: null } });
		expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
		expect(again.results).toEqual([{ ref: 0, externalId: "p", outcome: "unchanged" }]);
		expect((await stored("t-same")).at).toBe(before.at);
		const changed = await identify("t-same", "req-3", { email: "P@example.com" });
		expect(changed).toMatchObject({ updated: 1, unchanged: 0 });
		expect((await stored("t-same")).at).not.toBe(before.at);
	});

	it("a later line of a job found unchanged still wins over an earlier line written after it", async () => {
		const database = records(env, 0);
		await identify("t-claim", "req-1", { firstName: "Same" });
		const chunk = (n: number, ref: number, firstName: string) =>
			writeRecords(database, { ...ctx("t-claim", "job-c"), chunk: n }, "users", [
				{ ref, value: { externalId: "p", firstName } },
			]);
		const late = await chunk(1, 9000, "Same");
		expect(late).toMatchObject({ unchanged: 1, claims: ["x:p"] });
		// The ledger row of the later chunk carries its claims, as the consumer writes it.
		await firstShard()
			.prepare(
				"INSERT INTO job_chunks (job_id, chunk, created, updated, unchanged, skipped, failed, claims) VALUES ('job-c', 1, 0, 0, 1, 0, 0, ?)",
			)
			.bind(JSON.stringify(late.claims))
			.run();
		expect(await chunk(0, 10, "Earlier")).toMatchObject({ skipped: 1, updated: 0 });
		expect(await firstName("t-claim", "p")).toBe("Same");
	});
});
