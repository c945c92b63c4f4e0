import { describe, expect, inject, it } from "vitest";
import { call, createTenant, waitForJob } from "../../helpers";

type BatchResult = { successful: number; failed: number; errors: { index: number; code: string; error: string }[] };
type BulkImportAnswer = {
	data: { APIBulkImport: { id: string; errorMessage: string; repeatable: boolean; status: string } };
};

/** The guide's batch user creation example, with real addresses where the page lost them. */
const SEED_USERS = {
	users: [
		{ email: "alice.smith@example.com", firstName: "Alice", lastName: "Smith", externalId: "emp_001" },
		{ email: "bob.jones@example.com", firstName: "Bob", lastName: "Jones", externalId: "emp_002" },
	],
	options: { skipExisting: true, sendWelcomeEmail: false },
};

const { closedPort } = inject("loopback");

describe("POST /incoming/v2/users/bulk", () => {
	it("answers the guide's example with per-record results, then reports existing users as CONFLICT", async () => {
		const { apiKey } = await createTenant();
		const key = apiKey.key;
		const first = await call("/incoming/v2/users/bulk", { method: "POST", key, json: SEED_USERS });
		expect(first.status).toBe(200);
		expect(await first.json()).toMatchObject({ successful: 2, failed: 0, created: 2, errors: [] });

		// The example's skipExisting leaves them alone...
		const skipped = await call("/incoming/v2/users/bulk", { method: "POST", key, json: SEED_USERS });
		expect(await skipped.json()).toMatchObject({ successful: 2, failed: 0, skipped: 2 });

		// ...without it the route creates only, as the guide's CONFLICT "User already exists" says.
		const again = await call("/incoming/v2/users/bulk", { method: "POST", key, json: { users: SEED_USERS.users } });
		const result = await again.json<BatchResult>();
		expect(result).toMatchObject({ successful: 0, failed: 2 });
		expect(result.errors.map((e) => [e.index, e.code, e.error])).toEqual([
			[0, "CONFLICT", "User already exists"],
			[1, "CONFLICT", "User already exists"],
		]);

		const upserted = await call("/incoming/v2/users/bulk", {
			method: "POST",
			key,
			json: { users: [{ externalId: "emp_001", lastName: "Smith-Jones" }], options: { upsert: true } },
		});
		expect(await upserted.json()).toMatchObject({ successful: 1, updated: 1 });
		expect(await (await call("/v1/users/emp_001", { key })).json()).toMatchObject({ lastName: "Smith-Jones" });
	});

	it("takes at most 100 users", async () => {
		const { apiKey } = await createTenant();
		const users = Array.from({ length: 101 }, (_, i) => ({ externalId: `u${i}` }));
		const res = await call("/incoming/v2/users/bulk", { method: "POST", key: apiKey.key, json: { users } });
		expect(res.status).toBe(413);
	});
});

describe("POST /incoming/v2/enrollments/bulk", () => {
	it("answers the guide's example, and any batch up to 10,000, with per-item results in the request", async () => {
		const { apiKey } = await createTenant();
		const key = apiKey.key;
		await call("/v1/courses/crs_intro_api", { method: "PUT", key, json: { title: "Intro to the API" } });
		const users = Array.from({ length: 150 }, (_, i) => ({ externalId: i === 0 ? "usr_alice_001" : `usr_${i}` }));
		await call("/v1/users/bulk?mode=sync", { method: "POST", key, json: { users: users.slice(0, 99) } });
		await call("/v1/users/bulk?mode=sync", { method: "POST", key, json: { users: users.slice(99) } });

		const seed = await call("/incoming/v2/enrollments/bulk", {
			method: "POST",
			key,
			json: {
				enrollments: [
					{ userId: "usr_alice_001", courseId: "crs_intro_api", source: "bulk_import" },
					{ userId: "usr_bob_002", courseId: "crs_intro_api", source: "bulk_import" },
				],
			},
		});
		expect(seed.status).toBe(200);
		const result = await seed.json<BatchResult>();
		expect(result).toMatchObject({ successful: 1, failed: 1 });
		expect(result.errors).toMatchObject([{ index: 1, code: "NOT_FOUND" }]);

		const enrollments = users.map((u) => ({ userId: u.externalId, courseId: "crs_intro_api" }));
		const large = await call("/incoming/v2/enrollments/bulk", { method: "POST", key, json: { enrollments } });
		expect(large.status).toBe(200);
		expect(await large.json()).toMatchObject({ successful: 150, created: 149, skipped: 1, failed: 0 });
	});
});

describe("POST /incoming/v2/users/bulkImport", () => {
	it("answers in the seed's terms: errorMessage a string, repeatable once ended", async () => {
		const { apiKey } = await createTenant();
		const res = await call("/incoming/v2/users/bulkImport", {
			method: "POST",
			key: apiKey.key,
			json: { url: `http://127.0.0.1:${closedPort}/users.csv` },
		});
		expect(res.status).toBe(202);
		const job = (await res.json<BulkImportAnswer>()).data.APIBulkImport;
		expect(job).toMatchObject({ status: "failed", repeatable: true });
		expect(job.errorMessage).toMatch(/^Could not fetch the file: /);
		expect(await waitForJob(apiKey.key, job.id)).toMatchObject({ status: "failed" });
	});
});
