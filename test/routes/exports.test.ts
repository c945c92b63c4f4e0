import { describe, expect, it } from "vitest";
import { call, createKey, createTenant, type JobView, shardOf, upload, waitForJob } from "../helpers";

type ExportJob = JobView & { links: { file: string; fileDownload: string } };

const NDJSON = { "Content-Type": "application/x-ndjson" };
const CSV = { "Content-Type": "text/csv" };

async function exportJob(key: string, body: unknown): Promise<ExportJob> {
	const res = await call("/v1/exports", { method: "POST", key, json: body });
	expect(res.status).toBe(202);
	const job = await res.json<ExportJob>();
	return (await waitForJob(key, job.id)) as ExportJob;
}

/** The file of a completed export, fetched through its signed link without a key. */
async function download(job: ExportJob): Promise<Response> {
	const res = await call(new URL(job.links.fileDownload).pathname + new URL(job.links.fileDownload).search);
	expect(res.status).toBe(200);
	return res;
}

async function importFile(key: string, type: string, body: string, headers: Record<string, string>) {
	const res = await upload(key, `type=${type}`, body, headers);
	expect(res.status).toBe(202);
	return waitForJob(key, (await res.json<JobView>()).id);
}

/** Rows of the tenant's table written after `since`. */
async function writtenSince(table: string, tenantId: string, since: string) {
	const row = await (await shardOf(tenantId))
		.prepare(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = ? AND updated_at > ?`)
		.bind(tenantId, since)
		.first<{ n: number }>();
	return row!.n;
}

const lines = (text: string) => text.split(/\r?\n/).filter((l) => l !== "");

describe("exports that import back unchanged", () => {
	it("20,000 users exported as NDJSON and as CSV import back as 20,000 unchanged records, writing no row", async () => {
		const { tenant, apiKey } = await createTenant();
		const key = apiKey.key;
		const users = Array.from({ length: 20_000 }, (_, i) =>
			JSON.stringify({
				externalId: `emp_${i}`,
				email: i % 7 === 0 ? `Mixed.Case${i}@Example.com` : `u${i}@example.com`,
				...(i % 3 === 0 ? { firstName: `Ann, "the" ${i}`, lastName: "O'Neil\nJr." } : {}),
				companyId: `co_${i % 10}`,
				...(i % 5 === 0 ? { role: "learner", clientId: " spaced " } : {}),
				customFields: i % 2 === 0 ? { team: `t${i % 4}`, "cost.center": "=1+1" } : {},
				...(i % 4 === 0 ? { metadata: { plan: "pro", seat: `${i}` } } : {}),
			}),
		);
		const imported = await importFile(key, "users", `${users.join("\n")}\n`, NDJSON);
		expect(imported.counts.created).toBe(20_000);
		const before = new Date().toISOString();

		for (const format of ["ndjson", "csv"] as const) {
			const job = await exportJob(key, { type: "users", format });
			expect(job).toMatchObject({
				type: "users.export",
				status: "completed",
				counts: { total: 20_000, unchanged: 20_000 },
			});
			const res = await download(job);
			expect(res.headers.get("Content-Type")).toContain(format === "csv" ? "text/csv" : "application/x-ndjson");
			const text = new TextDecoder().decode(await res.arrayBuffer());
			if (format === "csv") {
				expect(text.split("\r\n")[0]).toBe(
					"externalId,email,firstName,lastName,companyId,role,clientId,status,custom.cost.center,custom.team,metadata.plan,metadata.seat",
				);
			} else expect(lines(text)).toHaveLength(20_000);
			const back = await importFile(key, "users", text, format === "csv" ? CSV : NDJSON);
			expect(back.counts).toMatchObject({ total: 20_000, unchanged: 20_000, created: 0, updated: 0, failed: 0 });
		}
		expect(await writtenSince("users", tenant.id, before)).toBe(0);
	});

	it("NDJSON keeps every value as stored: numbers, booleans, nested objects, users known by email only", async () => {
		const { tenant, apiKey } = await createTenant();
		const users = [
			{ email: "only@example.com", customFields: { n: 1.5, ok: true, deep: { list: [1, "2", null] } } },
			{ externalId: "x1", metadata: { seats: 3, trial: false, note: "a\u2028b" }, firstName: "" },
		];
		await importFile(apiKey.key, "users", users.map((u) => JSON.stringify(u)).join("\n"), NDJSON);
		const before = new Date().toISOString();
		const job = await exportJob(apiKey.key, { type: "users", format: "ndjson" });
		const text = await (await download(job)).text();
		expect(lines(text).map((l) => JSON.parse(l))).toEqual(users.map((u) => ({ ...u, status: "active" })));
		const back = await importFile(apiKey.key, "users", text, NDJSON);
		expect(back.counts).toMatchObject({ unchanged: 2, updated: 0 });
		expect(await writtenSince("users", tenant.id, before)).toBe(0);
	});

	it("companies and enrollments export in their import's columns; enrollments come back as skipped, nothing written", async () => {
		const { tenant, apiKey } = await createTenant();
		const key = apiKey.key;
		await importFile(key, "companies", "companyId,name,metadata.tier\nc1,Acme,gold\nc2,,\n", CSV);
		await importFile(key, "users", '{"externalId":"a","companyId":"c1"}\n{"email":"b@example.com"}\n', NDJSON);
		await call("/v1/courses/crs", { method: "PUT", key, json: { title: "Course" } });
		await call("/v1/bundles/bnd", { method: "PUT", key, json: { title: "Bundle" } });
		await importFile(
			key,
			"enrollments",
			'{"userId":"a","courseId":"crs","source":"hris"}\n{"email":"b@example.com","bundleId":"bnd"}\n',
			NDJSON,
		);
		const before = new Date().toISOString();

		const companies = await (await download(await exportJob(key, { type: "companies", format: "csv" }))).text();
		expect(companies).toBe("companyId,name,metadata.tier\r\nc1,Acme,gold\r\nc2,,\r\n");
		const companiesBack = await importFile(key, "companies", companies, CSV);
		expect(companiesBack.counts).toMatchObject({ unchanged: 2, updated: 0 });
		expect(await writtenSince("companies", tenant.id, before)).toBe(0);

		const enrollments = await (await download(await exportJob(key, { type: "enrollments", format: "csv" }))).text();
		expect(lines(enrollments)).toEqual([
			"userId,email,courseId,learningPathId,bundleId,source",
			"a,,crs,,,hris",
			",b@example.com,,,bnd,",
		]);
		const enrollmentsBack = await importFile(key, "enrollments", enrollments, CSV);
		expect(enrollmentsBack.counts).toMatchObject({ total: 2, skipped: 2, created: 0, failed: 0 });
	});

	it("a filter takes only the records written since a time, or of one company", async () => {
		const { apiKey } = await createTenant();
		const key = apiKey.key;
		await importFile(
			key,
			"users",
			'{"externalId":"old1","companyId":"c1"}\n{"externalId":"old2","companyId":"c2"}\n',
			NDJSON,
		);
		await new Promise((r) => setTimeout(r, 5));
		const since = new Date().toISOString();
		await importFile(
			key,
			"users",
			'{"externalId":"new1","companyId":"c1"}\n{"externalId":"old2","firstName":"B"}\n',
			NDJSON,
		);
		const ids = async (filter: unknown) => {
			const text = await (await download(await exportJob(key, { type: "users", format: "ndjson", filter }))).text();
			return lines(text).map((l) => (JSON.parse(l) as { externalId: string }).externalId);
		};
		expect(await ids({ updatedSince: since })).toEqual(["old2", "new1"]);
		expect(await ids({ companyId: "c1" })).toEqual(["old1", "new1"]);
		expect(await ids({ companyId: "c1", updatedSince: since })).toEqual(["new1"]);
		expect(await ids({ status: "active" })).toEqual(["old1", "old2", "new1"]);
		await importFile(key, "users", '{"externalId":"left","status":"inactive"}\n', NDJSON);
		expect(await ids({ status: "inactive" })).toEqual(["left"]);
		expect(await ids({ status: "active" })).toEqual(["old1", "old2", "new1"]);
		const refused = await call("/v1/exports", {
			method: "POST",
			key,
			json: { type: "companies", format: "csv", filter: { status: "active" } },
		});
		expect(refused.status).toBe(400);
	});

	it("the download link works without a key; an altered one is 403; a viewer may download but not export", async () => {
		const { tenant, apiKey } = await createTenant();
		await importFile(apiKey.key, "users", '{"externalId":"a"}\n', NDJSON);
		const job = await exportJob(apiKey.key, { type: "users", format: "ndjson" });
		const link = new URL(job.links.fileDownload);
		expect(link.pathname).toBe(`/v1/exports/${job.id}/file`);
		expect(await (await call(link.pathname + link.search)).text()).toBe('{"externalId":"a","status":"active"}\n');
		const altered = new URL(link);
		altered.searchParams.set("tenant", "ten_other");
		expect((await call(altered.pathname + altered.search)).status).toBe(403);
		const forged = new URL(link);
		forged.searchParams.set("signature", "0".repeat(64));
		expect((await call(forged.pathname + forged.search)).status).toBe(403);
		// A results link of the same job does not open its file.
		const results = new URL(`${link.origin}${link.pathname}`);
		for (const [k, v] of new URL((job.links as unknown as { resultsDownload: string }).resultsDownload).searchParams) {
			results.searchParams.set(k, v);
		}
		expect((await call(results.pathname + results.search)).status).toBe(403);

		const viewer = await createKey(apiKey.key, "viewer");
		expect((await call(job.links.file, { key: viewer.key })).status).toBe(200);
		const asViewer = await call("/v1/exports", {
			method: "POST",
			key: viewer.key,
			json: { type: "users", format: "csv" },
		});
		expect(asViewer.status).toBe(403);
		const listed = await (await call("/v1/jobs", { key: apiKey.key })).json<{ data: { id: string }[] }>();
		expect(listed.data.map((j) => j.id)).toContain(job.id);
		expect(tenant.id).toBeTruthy();
	});

	it("an import job has no file; an empty export is a header alone", async () => {
		const { apiKey } = await createTenant();
		const imported = await importFile(apiKey.key, "users", '{"externalId":"a"}\n', NDJSON);
		expect((await call(`/v1/exports/${imported.id}/file`, { key: apiKey.key })).status).toBe(404);
		const empty = await exportJob(apiKey.key, { type: "companies", format: "csv" });
		expect(empty).toMatchObject({ status: "completed", counts: { total: 0 } });
		expect(await (await download(empty)).text()).toBe("companyId,name\r\n");
	});
});
