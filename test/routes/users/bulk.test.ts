import { describe, expect, it } from "vitest";
import { call, countRows, createKey, createTenant, shardOf } from "../../helpers";

type Result = {
	successful: number;
	failed: number;
	created: number;
	updated: number;
	skipped: number;
	errors: { index: number; externalId?: string; email?: string; code: string; error: string }[];
};

async function bulk(key: string, users: unknown[], options?: object, path = "/v1/users/bulk") {
	const res = await call(path, { method: "POST", key, json: { users, options } });
	return { status: res.status, body: await res.json<Result>() };
}

describe("POST /v1/users/bulk", () => {
	it("the seed's Alice and Bob request returns the documented shape", async () => {
		const { apiKey } = await createTenant();
		const res = await call("/incoming/v2/users/bulk", {
			method: "POST",
			key: apiKey.key,
			json: {
				users: [
					{ email: "alice@example.com", firstName: "Alice", lastName: "Smith", externalId: "emp_001" },
					{ email: "bob@example.com", firstName: "Bob", lastName: "Jones", externalId: "emp_002" },
				],
				options: { skipExisting: true, sendWelcomeEmail: false },
			},
		});
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({
			successful: 2,
			failed: 0,
			created: 2,
			updated: 0,
			unchanged: 0,
			skipped: 0,
			errors: [],
		});
		const alice = await (await call("/v1/users/emp_001", { key: apiKey.key })).json<Record<string, unknown>>();
		expect(alice).toMatchObject({
			externalId: "emp_001",
			email: "alice@example.com",
			firstName: "Alice",
			lastName: "Smith",
		});
	});

	it("bad records fail alone with a clear error and everything else is written", async () => {
		const { tenant, apiKey } = await createTenant();
		const users = [
			{ externalId: "ok-1", email: "ok1@example.com" },
			{ externalId: "bad-1", email: "invalid@" },
			{ externalId: "bad-2", email: "has space@example.com" },
			{ externalId: "bad-3", email: `${"a".repeat(250)}@example.com` },
			{ firstName: "Nobody" },
			{ externalId: "bad-5", customFields: ["not", "an", "object"] },
			{ externalId: "bad-6", metadata: { nested: { deep: 1 } } },
			{ externalId: "bad-7", userId: "also-7" },
			{ externalId: "bad-8", favouriteColour: "teal" },
			{
				externalId: "ok-2",
				firstName: "Robert'); DROP TABLE users;--",
				lastName: "Ñandú 🚀",
				metadata: { plan: "pro", seats: 3, trial: false, ref: null },
			},
			"not an object",
		];
		const { status, body } = await bulk(apiKey.key, users);
		expect(status).toBe(200);
		expect(body.successful + body.failed).toBe(users.length);
		expect(body).toMatchObject({ successful: 2, created: 2, failed: 9 });
		const byIndex = Object.fromEntries(body.errors.map((e) => [e.index, e]));
		expect(Object.keys(byIndex).map(Number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10]);
		expect(byIndex[1]).toMatchObject({
			externalId: "bad-1",
			email: "invalid@",
			code: "VALIDATION_ERROR",
			field: "email",
			error: "Invalid email format",
		});
		expect(byIndex[3]).toMatchObject({ field: "email", error: expect.stringContaining("254") });
		expect(byIndex[4]).toMatchObject({ field: "externalId", error: "externalId or email is required" });
		expect(byIndex[5]).toMatchObject({ field: "customFields", error: "customFields must be a JSON object" });
		expect(byIndex[6]).toMatchObject({ field: "metadata.nested", error: expect.stringMatching(/^Metadata values/) });
		expect(byIndex[7]).toMatchObject({ field: "userId", error: "Give only one of externalId, userId" });
		expect(byIndex[8]).toMatchObject({ field: "favouriteColour", error: 'Unknown field "favouriteColour"' });
		expect(byIndex[10]).toMatchObject({ error: "The record must be a JSON object" });
		expect(byIndex[10]).not.toHaveProperty("field");

		const stored = await (await call("/v1/users/ok-2", { key: apiKey.key })).json<Record<string, unknown>>();
		expect(stored).toMatchObject({
			firstName: "Robert'); DROP TABLE users;--",
			lastName: "Ñandú 🚀",
			// A key sent as null is removed (spec §4), so a new user does not store it.
			metadata: { plan: "pro", seats: 3, trial: false },
		});
		expect(stored.metadata).not.toHaveProperty("ref");
		expect(await countRows("users", tenant.id)).toBe(2);
	});

	it("aliases from the seeds are accepted", async () => {
		const { apiKey } = await createTenant();
		const { body } = await bulk(apiKey.key, [
			{ user_id: "u1", first_name: "Ada", last_name: "L", company_id: "c1", metadata: { tier: 1 } },
		]);
		expect(body.created).toBe(1);
		const u = await (await call("/v1/users/u1", { key: apiKey.key })).json<Record<string, unknown>>();
		expect(u).toMatchObject({
			externalId: "u1",
			firstName: "Ada",
			lastName: "L",
			companyId: "c1",
			metadata: { tier: 1 },
		});
	});

	it("upsert updates by default, upsert=false is a CONFLICT, skipExisting skips", async () => {
		const { apiKey } = await createTenant();
		await bulk(apiKey.key, [{ externalId: "u1", email: "u1@example.com", firstName: "Old" }]);
		const updated = await bulk(apiKey.key, [{ externalId: "u1", firstName: "New" }]);
		expect(updated.body).toMatchObject({ successful: 1, updated: 1, created: 0 });
		const u = await (await call("/v1/users/u1", { key: apiKey.key })).json<Record<string, unknown>>();
		expect(u).toMatchObject({ firstName: "New", email: "u1@example.com" });

		const conflict = await bulk(apiKey.key, [{ externalId: "u1", firstName: "X" }, { externalId: "u2" }], {
			upsert: false,
		});
		expect(conflict.body).toMatchObject({ successful: 1, failed: 1, created: 1 });
		expect(conflict.body.errors).toEqual([
			{ index: 0, externalId: "u1", code: "CONFLICT", error: "User already exists" },
		]);

		const skipped = await bulk(apiKey.key, [{ externalId: "u1", firstName: "Y" }], { skipDuplicates: true });
		expect(skipped.body).toMatchObject({ successful: 1, skipped: 1 });
		expect((await (await call("/v1/users/u1", { key: apiKey.key })).json<{ firstName: string }>()).firstName).toBe(
			"New",
		);
	});

	it("emails match case-insensitively and an email-only user is adopted by its externalId", async () => {
		const { apiKey } = await createTenant();
		await bulk(apiKey.key, [{ email: "Mixed.Case@Example.com", firstName: "A" }]);
		const byEmail = await bulk(apiKey.key, [{ email: "mixed.case@example.COM", lastName: "B" }]);
		expect(byEmail.body.updated).toBe(1);
		const adopted = await bulk(apiKey.key, [{ externalId: "hr-9", email: "MIXED.case@example.com" }]);
		expect(adopted.body.updated).toBe(1);
		const u = await (await call("/v1/users/hr-9", { key: apiKey.key })).json<Record<string, unknown>>();
		expect(u).toMatchObject({ firstName: "A", lastName: "B", email: "MIXED.case@example.com" });
		const taken = await bulk(apiKey.key, [{ externalId: "hr-10", email: "mixed.case@example.com" }]);
		expect(taken.body.errors[0]).toMatchObject({ code: "CONFLICT", index: 0 });
	});

	it("the last occurrence of an identity in one request wins and the earlier ones count as skipped", async () => {
		const { apiKey } = await createTenant();
		const { body } = await bulk(apiKey.key, [
			{ externalId: "dup", firstName: "first" },
			{ externalId: "other" },
			{ externalId: "dup", firstName: "last" },
		]);
		expect(body).toMatchObject({ successful: 3, created: 2, skipped: 1 });
		expect((await (await call("/v1/users/dup", { key: apiKey.key })).json<{ firstName: string }>()).firstName).toBe(
			"last",
		);
	});

	it("dryRun reports the same counts and errors as a real run and writes nothing", async () => {
		const { tenant, apiKey } = await createTenant();
		const users = [{ externalId: "a" }, { externalId: "b", email: "nope" }, { externalId: "a", firstName: "again" }];
		const dry = await bulk(apiKey.key, users, { dryRun: true, sendWelcomeEmail: true });
		expect(await countRows("users", tenant.id)).toBe(0);
		expect(await countRows("notifications", tenant.id)).toBe(0);
		const real = await bulk(apiKey.key, users, { sendWelcomeEmail: true });
		expect(dry.body).toEqual(real.body);
	});

	it("sendWelcomeEmail records exactly one welcome per created user, never for updates", async () => {
		const { tenant, apiKey } = await createTenant();
		await bulk(apiKey.key, [{ externalId: "old" }]);
		const users = [{ externalId: "old", firstName: "x" }, { externalId: "new-1" }, { email: "new2@example.com" }];
		const options = { sendWelcomeEmail: true, inviteMessage: "Welcome aboard" };
		await bulk(apiKey.key, users, options);
		await bulk(apiKey.key, users, options);
		const { results } = await (await shardOf(tenant.id))
			.prepare(
				"SELECT external_id AS externalId, email, invite_message AS invite FROM notifications WHERE tenant_id = ? ORDER BY id",
			)
			.bind(tenant.id)
			.all();
		expect(results).toEqual([
			{ externalId: "new-1", email: null, invite: "Welcome aboard" },
			{ externalId: null, email: "new2@example.com", invite: "Welcome aboard" },
		]);
	});

	it("options of the wrong type are a request-level 400", async () => {
		const { tenant, apiKey } = await createTenant();
		for (const options of [{ upsert: "yes" }, { dryRun: 1 }, { sendWelcomeEmail: "true" }, { turbo: true }]) {
			const { status, body } = await bulk(apiKey.key, [{ externalId: "a" }], options);
			expect(status).toBe(400);
			expect(
				(body as unknown as { error: { code: string; details: { path: string }[] } }).error.details[0]!.path,
			).toMatch(/^options/);
		}
		expect(await countRows("users", tenant.id)).toBe(0);
	});

	it("10,001 records are a 413, and 101 on the Thought Industries route", async () => {
		const { tenant, apiKey } = await createTenant();
		const many = Array.from({ length: 10_001 }, (_, i) => ({ externalId: `u${i}` }));
		const res = await call("/v1/users/bulk", { method: "POST", key: apiKey.key, json: { users: many } });
		expect(res.status).toBe(413);
		expect((await res.json<{ error: { code: string } }>()).error.code).toBe("PAYLOAD_TOO_LARGE");
		const ti = await call("/incoming/v2/users/bulk", {
			method: "POST",
			key: apiKey.key,
			json: { users: many.slice(0, 101) },
		});
		expect(ti.status).toBe(413);
		expect(await countRows("users", tenant.id)).toBe(0);
	});

	it("a non-JSON body is a 400 and a wrong content type a 415", async () => {
		const { apiKey } = await createTenant();
		const headers = { Authorization: `Bearer ${apiKey.key}` };
		const broken = await call("/v1/users/bulk", {
			method: "POST",
			headers: { ...headers, "Content-Type": "application/json" },
			body: "users=1",
		});
		expect(broken.status).toBe(400);
		const csv = await call("/v1/users/bulk", {
			method: "POST",
			headers: { ...headers, "Content-Type": "text/csv" },
			body: "externalId\na",
		});
		expect(csv.status).toBe(415);
	});

	it("a viewer cannot write", async () => {
		const { apiKey } = await createTenant();
		const viewer = await createKey(apiKey.key, "viewer");
		expect((await bulk(viewer.key, [{ externalId: "a" }])).status).toBe(403);
	});
});

describe("Idempotency-Key", () => {
	it("the same key and body replays the first response; another body is a 409", async () => {
		const { apiKey } = await createTenant();
		const send = (users: unknown[]) =>
			call("/v1/users/bulk", {
				method: "POST",
				key: apiKey.key,
				json: { users },
				headers: { "Idempotency-Key": "sync-42" },
			});
		const first = await send([{ externalId: "a" }]);
		const firstBody = await first.json();
		expect(firstBody).toMatchObject({ created: 1 });
		const replay = await send([{ externalId: "a" }]);
		expect(replay.status).toBe(200);
		expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
		expect(await replay.json()).toEqual(firstBody);
		const other = await send([{ externalId: "b" }]);
		expect(other.status).toBe(409);
		expect((await other.json<{ error: { code: string } }>()).error.code).toBe("CONFLICT");
		expect((await call("/v1/users/b", { key: apiKey.key })).status).toBe(404);
	});

	it("a request that failed validation does not burn its key", async () => {
		const { apiKey } = await createTenant();
		const send = (options: unknown) =>
			call("/v1/users/bulk", {
				method: "POST",
				key: apiKey.key,
				json: { users: [{ externalId: "a" }], options },
				headers: { "Idempotency-Key": "k" },
			});
		expect((await send({ upsert: "no" })).status).toBe(400);
		expect((await send({ upsert: false })).status).toBe(200);
	});
});
