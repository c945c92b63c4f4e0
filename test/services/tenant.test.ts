import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { jobView, orRefuse, viewJob } from "../../src/services/tenant";
import type { JobRecord } from "../../src/tenant/jobs";
import { BUSY } from "../../src/tenant/object";

const record: JobRecord = {
	id: "job_1",
	tenantId: "ten_1",
	createdBy: { keyId: "key_1", keyName: "hris-sync" },
	baseUrl: "https://cohort.example",
	type: "users.import",
	description: "d",
	status: "processing",
	createdAt: "2026-01-01T00:00:00.000Z",
	startedAt: "2026-01-01T00:00:00.000Z",
	completedAt: null,
	errorMessage: null,
	dryRun: false,
	counts: { total: 1000, created: 200, updated: 100, unchanged: 0, skipped: 50, failed: 50, deactivated: 0 },
	usage: { d1RowsRead: 0, d1RowsWritten: 0, r2ClassA: 0, r2ClassB: 0, queueOperations: 0 },
};

const downloads = { resultsDownload: "r", errorsDownload: "e" };

describe("the job view", () => {
	it("links downloads absolutely at the job's origin, signed with an expiry an hour ahead in whole minutes", async () => {
		const now = Date.parse("2026-01-01T00:00:30.000Z");
		const view = await viewJob(env, record, now);
		const url = new URL(view.links.resultsDownload);
		expect(url.origin + url.pathname).toBe("https://cohort.example/v1/jobs/job_1/results");
		expect(url.searchParams.get("tenant")).toBe("ten_1");
		expect(Number(url.searchParams.get("expires"))).toBe(Date.parse("2026-01-01T01:00:00.000Z") / 1000);
		expect(url.searchParams.get("signature")).toMatch(/^[0-9a-f]{64}$/);
		expect(view.links.errorsDownload).toContain("/v1/jobs/job_1/errors?");
	});

	it("adds processed, progress, rate, estimate and links to the stored record", () => {
		const view = jobView(record, downloads, Date.parse("2026-01-01T00:00:04.000Z"));
		expect(view).toMatchObject({
			counts: { total: 1000, processed: 400, failed: 50, deactivated: 0 },
			progress: 0.4,
			recordsPerSecond: 100,
			etaSeconds: 6,
			repeatable: true,
			createdBy: { keyId: "key_1", keyName: "hris-sync" },
			links: {
				self: "/v1/jobs/job_1",
				errors: "/v1/jobs/job_1/errors",
				results: "/v1/jobs/job_1/results",
				...downloads,
			},
		});
		expect(view).not.toHaveProperty("position");
	});

	it("an ended job has no estimate left, and an empty one is complete", () => {
		const empty = { ...record, status: "completed" as const, counts: { ...record.counts, total: 0, created: 0 } };
		expect(jobView({ ...empty, completedAt: "2026-01-01T00:00:01.000Z" }, downloads)).toMatchObject({
			progress: 1,
			etaSeconds: 0,
		});
	});
});

describe("refusals", () => {
	it("become the API error they stand for; anything else passes through", () => {
		expect(() => orRefuse(BUSY)).toThrow(expect.objectContaining({ code: "JOB_IN_PROGRESS" }));
		expect(orRefuse(record)).toBe(record);
	});
});
