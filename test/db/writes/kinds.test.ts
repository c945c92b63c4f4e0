import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { records } from "../../../src/db/client";
import { writeRecords } from "../../../src/db/writes";
import type { RecordType } from "../../../src/schemas/common";
import { firstShard } from "../../helpers";
import { writeContext } from "./context";

const write = (tenantId: string, type: RecordType, values: unknown[], source = "req-1") =>
	writeRecords(
		records(env, 0),
		writeContext(tenantId, source),
		type,
		values.map((value, ref) => ({ ref, value })),
	);

const rows = async (sql: string, ...binds: unknown[]) =>
	(
		await firstShard()
			.prepare(sql)
			.bind(...binds)
			.all<Record<string, unknown>>()
	).results;

describe("users", () => {
	it("aliases are written as their canonical fields; two spellings of one field fail that record", async () => {
		const outcome = await write("k-users", "users", [
			{
				user_id: "u1",
				email: "ann@example.com",
				first_name: "Ann",
				last_name: "Lee",
				company_id: "co1",
				client_id: "cl1",
			},
			{ externalId: "u2", userId: "u2-too" },
		]);
		expect(outcome).toMatchObject({ created: 1, failed: 1 });
		expect(outcome.errors).toEqual([
			{
				ref: 1,
				externalId: "u2",
				code: "VALIDATION_ERROR",
				field: "userId",
				error: "Give only one of externalId, userId",
			},
		]);
		expect(
			await rows(
				"SELECT external_id, first_name, last_name, company_id, client_id FROM users WHERE tenant_id = ?",
				"k-users",
			),
		).toEqual([{ external_id: "u1", first_name: "Ann", last_name: "Lee", company_id: "co1", client_id: "cl1" }]);
	});

	it("an invalid record is named by its externalId, read through an alias, and its email", async () => {
		const outcome = await write("k-users-bad", "users", [{ user_id: "u9", email: "not-an-email" }]);
		expect(outcome.errors).toEqual([
			{
				ref: 0,
				externalId: "u9",
				email: "not-an-email",
				code: "VALIDATION_ERROR",
				field: "email",
				error: "Invalid email format",
			},
		]);
	});

	it("errors name a field as the record spelled it, and unknown fields by their own name", async () => {
		const outcome = await write("k-users-names", "users", [
			{ user_id: "", email: "a@example.com" },
			{ externalId: "u1", first_name: "x".repeat(300) },
			{ userId: "u2", metadata: { plan: { tier: 1 } } },
			{ externalId: "u3", shoeSize: 44 },
			{ email: "taken@example.com", user_id: "u4" },
			{ email: "taken@example.com", user_id: "u5" },
		]);
		expect(outcome.errors.map(({ ref, field, error }) => ({ ref, field, error }))).toEqual([
			{ ref: 0, field: "user_id", error: "Too small: expected string to have >=1 characters" },
			{ ref: 1, field: "first_name", error: "Too big: expected string to have <=255 characters" },
			{ ref: 2, field: "metadata.plan", error: "Metadata values must be a string, number, boolean or null" },
			{ ref: 3, field: "shoeSize", error: 'Unknown field "shoeSize"' },
			{ ref: 5, field: "email", error: "Email taken@example.com is given to another user in this import" },
		]);
	});

	it("the identity is the externalId, else the email: the same user sent again is updated", async () => {
		await write("k-users-id", "users", [{ externalId: "u1", firstName: "A" }, { email: "b@example.com" }]);
		const again = await write("k-users-id", "users", [{ userId: "u1", firstName: "B" }, { email: "B@example.com" }]);
		expect(again).toMatchObject({ created: 0, updated: 2 });
	});
});

describe("companies", () => {
	it("company_id is the companyId, which is the identity: the same company sent again is updated", async () => {
		expect(await write("k-co", "companies", [{ company_id: "co1", name: "Acme" }])).toMatchObject({ created: 1 });
		expect(await write("k-co", "companies", [{ companyId: "co1", name: "Acme Ltd" }])).toMatchObject({ updated: 1 });
		expect(await rows("SELECT company_id, name FROM companies WHERE tenant_id = ?", "k-co")).toEqual([
			{ company_id: "co1", name: "Acme Ltd" },
		]);
	});

	it("an invalid company is named by its companyId, read through the alias", async () => {
		const outcome = await write("k-co-bad", "companies", [{ company_id: "co9", name: "x".repeat(300) }]);
		expect(outcome.errors).toMatchObject([{ ref: 0, externalId: "co9", code: "VALIDATION_ERROR" }]);
	});

	it("concurrent writers of the same new companies end with one row each: the loser is planned again", async () => {
		const companies = Array.from({ length: 200 }, (_, i) => ({ companyId: `co${i}` }));
		const outcomes = await Promise.all([1, 2, 3].map((n) => write("k-co-race", "companies", companies, `req-${n}`)));
		for (const o of outcomes) expect(o.created + o.updated + o.unchanged).toBe(200);
		expect(outcomes.reduce((sum, o) => sum + o.created, 0)).toBe(200);
		expect(await rows("SELECT count(*) AS n FROM companies WHERE tenant_id = ?", "k-co-race")).toEqual([{ n: 200 }]);
	});
});

describe("enrollments", () => {
	const course = (tenantId: string, id: string) =>
		firstShard()
			.prepare(
				"INSERT INTO catalog_items (tenant_id, kind, id, title, created_at, updated_at) VALUES (?, 'course', ?, ?, '', '')",
			)
			.bind(tenantId, id, id)
			.run();

	it("user_id, externalId and course_id name the user and the course", async () => {
		await write("k-en", "users", [{ externalId: "u1" }, { externalId: "u2" }]);
		await course("k-en", "crs1");
		const outcome = await write("k-en", "enrollments", [
			{ user_id: "u1", course_id: "crs1" },
			{ externalId: "u2", courseId: "crs1" },
		]);
		expect(outcome).toMatchObject({ created: 2, failed: 0 });
		expect(
			await rows(
				"SELECT u.external_id AS user, e.kind, e.item_id AS item FROM enrollments e JOIN users u ON u.id = e.user_id WHERE e.tenant_id = ? ORDER BY user",
				"k-en",
			),
		).toEqual([
			{ user: "u1", kind: "course", item: "crs1" },
			{ user: "u2", kind: "course", item: "crs1" },
		]);
	});

	it("an invalid enrollment is named by its user, read through an alias, and its email", async () => {
		const outcome = await write("k-en-bad", "enrollments", [{ user_id: "u1", email: "a@example.com" }]);
		expect(outcome.errors).toMatchObject([
			{ ref: 0, externalId: "u1", email: "a@example.com", code: "VALIDATION_ERROR" },
		]);
	});

	it("concurrent writers of the same enrollments neither fail nor enroll twice", async () => {
		await write("k-en-race", "users", [{ externalId: "u1" }]);
		await course("k-en-race", "crs1");
		const outcomes = await Promise.all(
			[1, 2, 3].map((n) => write("k-en-race", "enrollments", [{ userId: "u1", courseId: "crs1" }], `req-${n}`)),
		);
		expect(outcomes.map((o) => o.created + o.skipped)).toEqual([1, 1, 1]);
		expect(await rows("SELECT count(*) AS n FROM enrollments WHERE tenant_id = ?", "k-en-race")).toEqual([{ n: 1 }]);
	});
});
