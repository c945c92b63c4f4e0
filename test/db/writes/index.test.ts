import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { db } from "../../../src/db/client";
import { writeRecords } from "../../../src/db/writes";
import { writeContext as ctx } from "./context";

const firstName = async (tenantId: string, externalId: string) =>
	(
		await env.DB.prepare("SELECT first_name AS f FROM users WHERE tenant_id = ? AND external_id = ?")
			.bind(tenantId, externalId)
			.first<{ f: string }>()
	)?.f;

describe("the write path", () => {
	it("a later line of the same job wins even when it is written first", async () => {
		const database = db(env);
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

	it("writing the same chunk twice changes nothing the second time and sends no second welcome", async () => {
		const database = db(env);
		const items = Array.from({ length: 50 }, (_, i) => ({
			ref: i + 2,
			value: { externalId: `u${i}`, email: `u${i}@example.com` },
		}));
		await writeRecords(database, ctx("t-twice", "job-9", { sendWelcomeEmail: true }), "users", items);
		const before = await env.DB.prepare("SELECT * FROM users WHERE tenant_id = 't-twice' ORDER BY id").all();
		await writeRecords(database, ctx("t-twice", "job-9", { sendWelcomeEmail: true }), "users", items);
		const after = await env.DB.prepare("SELECT * FROM users WHERE tenant_id = 't-twice' ORDER BY id").all();
		expect(after.results.map((r) => ({ ...r, updated_at: 0 }))).toEqual(
			before.results.map((r) => ({ ...r, updated_at: 0 })),
		);
		const sent = await env.DB.prepare("SELECT count(*) AS n FROM notifications WHERE tenant_id = 't-twice'").first<{
			n: number;
		}>();
		expect(sent!.n).toBe(50);
	});

	it("concurrent writers of the same new identities end with one row each and exact totals", async () => {
		const database = db(env);
		const items = Array.from({ length: 200 }, (_, i) => ({ ref: i, value: { externalId: `c${i}` } }));
		const outcomes = await Promise.all(
			[1, 2, 3].map((n) => writeRecords(database, ctx("t-race", `req-${n}`), "users", items)),
		);
		for (const o of outcomes) expect(o.created + o.updated).toBe(200);
		expect(outcomes.reduce((sum, o) => sum + o.created, 0)).toBe(200);
		const rows = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE tenant_id = 't-race'").first<{
			n: number;
		}>();
		expect(rows!.n).toBe(200);
	});

	it("records too large for one statement parameter are split across statements", async () => {
		const database = db(env);
		const big = "x".repeat(15_000);
		const items = Array.from({ length: 150 }, (_, i) => ({
			ref: i,
			value: { externalId: `b${i}`, customFields: { notes: big } },
		}));
		const outcome = await writeRecords(database, ctx("t-big", "job-big"), "users", items);
		expect(outcome).toMatchObject({ created: 150, failed: 0 });
		const row = await env.DB.prepare(
			"SELECT custom_fields AS c FROM users WHERE tenant_id = 't-big' AND external_id = 'b149'",
		).first<{ c: string }>();
		expect(JSON.parse(row!.c)).toEqual({ notes: big });
	});

	it("an update writes the fields it carries and keeps the others, JSON fields as objects", async () => {
		const database = db(env);
		const row = () =>
			env.DB.prepare(
				"SELECT email, first_name AS firstName, last_name AS lastName, custom_fields AS customFields, metadata FROM users WHERE tenant_id = 't-keep' AND external_id = 'k'",
			).first<Record<string, string>>();
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
		await writeRecords(database, ctx("t-keep", "req-3", { upsert: true }), "users", [
			{ ref: 0, value: { externalId: "k", metadata: { level: 4 } } },
		]);
		expect(await row()).toMatchObject({ firstName: "Kira", customFields: '{"team":"Red"}', metadata: '{"level":4}' });
	});
});
