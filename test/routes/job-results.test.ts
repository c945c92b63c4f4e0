import { describe, expect, it } from "vitest";
import { call, createKey, createTenant, type JobView, upload, waitForJob } from "../helpers";

const NDJSON = { "Content-Type": "application/x-ndjson" };
type Linked = JobView & {
	createdBy: { keyId: string; keyName: string };
	links: { results: string; resultsDownload: string; errorsDownload: string };
};

async function importedTwice() {
	const { tenant, apiKey } = await createTenant();
	const admin = await createKey(apiKey.key, "admin", "hris-sync");
	const first = ['{"externalId":"a","firstName":"A"}', '{"externalId":"b","firstName":"B"}'].join("\n");
	await waitForJob(admin.key, (await (await upload(admin.key, "type=users", first, NDJSON)).json<JobView>()).id);
	const second = [
		'{"externalId":"a","firstName":"A"}',
		'{"externalId":"b","firstName":"Bea"}',
		"",
		'{"externalId":"c","email":"not-an-email"}',
		'{"externalId":"d","email":"d@example.com"}',
		"not json",
	].join("\n");
	const res = await upload(admin.key, "type=users", second, NDJSON);
	const job = (await waitForJob(admin.key, (await res.json<JobView>()).id)) as Linked;
	return { tenant, admin, job };
}

describe("GET /v1/jobs/:id/results", () => {
	it("gives every record's outcome in input order, as NDJSON or CSV, and the job counts unchanged records", async () => {
		const { admin, job } = await importedTwice();
		expect(job.counts).toMatchObject({ total: 5, processed: 5, created: 1, updated: 1, unchanged: 1, failed: 2 });
		expect(job.createdBy).toEqual({ keyId: admin.id, keyName: "hris-sync" });
		const res = await call(job.links.results, { key: admin.key });
		expect(res.headers.get("Content-Type")).toBe("application/x-ndjson");
		const rows = (await res.text())
			.trim()
			.split("\n")
			.map((l) => JSON.parse(l));
		expect(rows.map((r) => [r.line, r.outcome])).toEqual([
			[1, "unchanged"],
			[2, "updated"],
			[4, "failed"],
			[5, "created"],
			[6, "failed"],
		]);
		expect(rows[0]).toEqual({ line: 1, externalId: "a", outcome: "unchanged" });
		expect(rows[2]).toMatchObject({ line: 4, externalId: "c", email: "not-an-email", code: "VALIDATION_ERROR" });
		const csv = await (await call(job.links.results, { key: admin.key, headers: { Accept: "text/csv" } })).text();
		expect(csv.split("\r\n").slice(0, 3)).toEqual([
			"line,externalId,email,outcome,code,field,error,changes",
			"1,a,,unchanged,,,,",
			"2,b,,updated,,,,",
		]);
	});

	it("a preview's CSV results carry each update's changes as JSON in their changes column", async () => {
		const { admin } = await importedTwice();
		const file = ['{"externalId":"a","firstName":"Ann, \\"A\\""}', '{"externalId":"b","firstName":"Bea"}'].join("\n");
		const res = await upload(admin.key, "type=users&dryRun=true", file, NDJSON);
		const preview = (await waitForJob(admin.key, (await res.json<JobView>()).id)) as Linked;
		const csv = await (await call(preview.links.results, { key: admin.key, headers: { Accept: "text/csv" } })).text();
		expect(csv.split("\r\n")).toEqual([
			"line,externalId,email,outcome,code,field,error,changes",
			'1,a,,updated,,,,"{""firstName"":[""A"",""Ann, \\""A\\""""]}"',
			"2,b,,unchanged,,,,",
			"",
		]);
	});

	it("signed download links work without a key; an altered or expired one is 403", async () => {
		const { job } = await importedTwice();
		const results = await call(job.links.resultsDownload.replace("https://cohort.test", ""));
		expect(results.status).toBe(200);
		expect((await results.text()).split("\n").filter(Boolean)).toHaveLength(5);
		const errors = await call(job.links.errorsDownload.replace("https://cohort.test", ""));
		expect(errors.status).toBe(200);
		expect((await errors.text()).split("\n").filter(Boolean)).toHaveLength(2);

		const url = new URL(job.links.resultsDownload);
		const path = (u: URL) => `${u.pathname}${u.search}`;
		const other = new URL(url);
		other.pathname = other.pathname.replace("/results", "/errors");
		const later = new URL(url);
		later.searchParams.set("expires", String(Number(url.searchParams.get("expires")) + 3600));
		const past = new URL(url);
		past.searchParams.set("expires", "1000000000");
		for (const altered of [other, later, past]) {
			const res = await call(path(altered));
			expect(res.status).toBe(403);
			expect((await res.json<{ error: { code: string } }>()).error.code).toBe("FORBIDDEN");
		}
		expect((await call(`/v1/jobs/${job.id}/results`)).status).toBe(401);
	});

	it("another tenant's key gets 404 for the job's results", async () => {
		const { job } = await importedTwice();
		const { apiKey } = await createTenant("Other");
		expect((await call(job.links.results, { key: apiKey.key })).status).toBe(404);
	});
});
