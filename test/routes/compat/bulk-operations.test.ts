import { describe, expect, it, vi } from "vitest";
import { call, createTenant } from "../../helpers";

type Created = { jobId: string; status: string; totalRecords: number; createdAt: string; statusUrl: string };

const users = (n: number) =>
	Array.from({ length: n }, (_, i) => ({
		userId: `ops-${i}`,
		email: `ops${i}@example.com`,
		customFields: { department: "Sales" },
	}));

describe("the Bulk Operations API (/v1/bulk)", () => {
	it("answers fewer than 100 users in the request, with validation errors per user", async () => {
		const { apiKey } = await createTenant();
		const batch = [
			...users(2),
			{ userId: "bad-1", email: "not an email" },
			{ email: "x@example.com", customFields: "x" },
		];
		const res = await call("/v1/bulk/users", { method: "POST", key: apiKey.key, json: { users: batch } });
		expect(res.status).toBe(200);
		const result = await res.json<{ successful: number; failed: number; errors: { index: number; code: string }[] }>();
		expect(result).toMatchObject({ successful: 2, failed: 2 });
		expect(result.errors.map((e) => [e.index, e.code])).toEqual([
			[2, "VALIDATION_ERROR"],
			[3, "VALIDATION_ERROR"],
		]);
	});

	it("makes a job of 100 users or more and shows it at statusUrl in the seed's shape", async () => {
		const { apiKey } = await createTenant();
		const key = apiKey.key;
		const res = await call("/v1/bulk/users", { method: "POST", key, json: { users: users(150) } });
		expect(res.status).toBe(202);
		const created = await res.json<Created>();
		expect(Object.keys(created).sort()).toEqual(["createdAt", "jobId", "status", "statusUrl", "totalRecords"]);
		expect(created).toMatchObject({ totalRecords: 150, statusUrl: `/v1/bulk/jobs/${created.jobId}` });
		expect(res.headers.get("Location")).toBe(created.statusUrl);

		const job = await vi.waitFor(
			async () => {
				const view = await (await call(created.statusUrl, { key })).json<Record<string, unknown>>();
				expect(view.status).toBe("completed");
				return view;
			},
			{ timeout: 60_000, interval: 200 },
		);
		expect(job).toMatchObject({
			jobId: created.jobId,
			totalRecords: 150,
			processedRecords: 150,
			successCount: 150,
			failureCount: 0,
			createdAt: created.createdAt,
		});
		expect(job.completedAt).toEqual(job.updatedAt);
		// The download link works without a key, for an hour, and lists every record's outcome.
		expect(Date.parse(String(job.downloadUrlExpiresAt)) - Date.now()).toBeGreaterThan(58 * 60_000);
		const results = await call(String(job.downloadUrl).replace(/^https?:\/\/[^/]+/, ""));
		expect(results.status).toBe(200);
		const outcomes = (await results.text())
			.trim()
			.split("\n")
			.map((line) => JSON.parse(line));
		expect(outcomes).toHaveLength(150);
		expect(outcomes[0]).toMatchObject({ index: 0, externalId: "ops-0", outcome: "created" });
	});

	it("answers 404 for a job it does not know", async () => {
		const { apiKey } = await createTenant();
		const res = await call("/v1/bulk/jobs/job_unknown", { key: apiKey.key });
		expect(res.status).toBe(404);
	});
});
