import { describe, expect, it } from "vitest";
import { call, countRows, createTenant, type JobView, upload, waitForJob } from "../../helpers";

const CSV = { "Content-Type": "text/csv" };

describe("CSV file imports", () => {
	it("maps headers with aliases, custom. and metadata. columns, quoted newlines, and reports bad rows by line", async () => {
		const { tenant, apiKey } = await createTenant();
		const file = [
			"\uFEFFUser_ID,Email,first_name,custom.Department,metadata.level",
			'e1,e1@example.com,"Ann\r\nMarie",Sales,3',
			"e2,bad-email,Bob,Ops,1",
			"e3,e3@example.com,Cy",
			'=HYPERLINK("x"),x@example.com,Dee,IT,2,extra',
			"e4,,,,",
			`${"x".repeat(256)},long@example.com,Lee,IT,1`,
		].join("\r\n");
		const res = await upload(apiKey.key, "type=users", file, CSV);
		expect(res.status).toBe(202);
		const job = await waitForJob(apiKey.key, (await res.json<JobView>()).id);
		expect(job.counts).toEqual({
			total: 6,
			processed: 6,
			created: 2,
			updated: 0,
			unchanged: 0,
			skipped: 0,
			failed: 4,
			deactivated: 0,
		});
		expect(await countRows("users", tenant.id)).toBe(2);
		const e1 = await (await call("/v1/users/e1", { key: apiKey.key })).json<Record<string, unknown>>();
		expect(e1).toMatchObject({
			firstName: "Ann\r\nMarie",
			customFields: { Department: "Sales" },
			metadata: { level: "3" },
		});

		const report = await (await call(job.links.errors, { key: apiKey.key, headers: { Accept: "text/csv" } })).text();
		const rows = report.trim().split("\r\n");
		expect(rows[0]).toBe("line,code,field,column,error,record");
		expect(rows[1]).toBe('4,VALIDATION_ERROR,email,Email,Invalid email format,"e2,bad-email,Bob,Ops,1"');
		expect(rows[2]).toBe('5,VALIDATION_ERROR,,,"row has 3 columns, header has 5","e3,e3@example.com,Cy"');
		expect(rows[3]).toContain(`"'=HYPERLINK(""x""),x@example.com,Dee,IT,2,extra"`);
		expect(rows[4]).toMatch(/^8,VALIDATION_ERROR,user_id,User_ID,Too big: .*255 characters,"x{256},long@/);

		const ndjson = (await (await call(job.links.errors, { key: apiKey.key })).text()).trim().split("\n");
		expect(JSON.parse(ndjson[0]!)).toMatchObject({ line: 4, field: "email", column: "Email" });
		expect(JSON.parse(ndjson[1]!)).not.toHaveProperty("field");
	});

	it("a row that is not UTF-8 fails alone with its line; a header that is not is a 400 before any job", async () => {
		const { tenant, apiKey } = await createTenant();
		const encode = (text: string) => new TextEncoder().encode(text);
		const file = new Uint8Array([
			...encode("externalId,firstName\nl1,Zo\u00e9\nl2,Zo"),
			0xe9,
			...encode("\nl3,\uFFFD\n"),
		]);
		const res = await upload(apiKey.key, "type=users", file, CSV);
		expect(res.status).toBe(202);
		const job = await waitForJob(apiKey.key, (await res.json<JobView>()).id);
		expect(job.counts).toMatchObject({ total: 3, created: 2, failed: 1 });
		const report = (await (await call(job.links.errors, { key: apiKey.key })).text()).trim().split("\n");
		expect(report.map((line) => JSON.parse(line))).toEqual([
			expect.objectContaining({ line: 3, code: "VALIDATION_ERROR", error: "row is not valid UTF-8" }),
		]);
		expect(await countRows("users", tenant.id)).toBe(2);

		const header = new Uint8Array([...encode("externalId,custom.Pr"), 0xe9, ...encode("nom\nl4,x\n")]);
		const refused = await upload(apiKey.key, "type=users", header, CSV);
		expect(refused.status).toBe(400);
		expect((await refused.json<{ error: { message: string } }>()).error.message).toBe(
			"The CSV header row is not valid UTF-8",
		);
		expect((await (await call("/v1/jobs", { key: apiKey.key })).json<{ data: unknown[] }>()).data).toHaveLength(1);
	});

	it("an unknown column is a 400 naming it before any job exists", async () => {
		const { apiKey } = await createTenant();
		const res = await upload(apiKey.key, "type=users", "externalId,shoe_size\na,44\n", CSV);
		expect(res.status).toBe(400);
		expect((await res.json<{ error: { message: string } }>()).error.message).toContain("shoe_size");
		expect((await (await call("/v1/jobs", { key: apiKey.key })).json<{ data: unknown[] }>()).data).toEqual([]);
	});

	it("an unclosed quote is refused with the line it started on and nothing is written", async () => {
		const { tenant, apiKey } = await createTenant();
		const res = await upload(apiKey.key, "type=users", 'externalId,firstName\na,Ann\nb,"Bob\nc,Cy\n', CSV);
		expect(res.status).toBe(400);
		expect((await res.json<{ error: { message: string } }>()).error.message).toContain("line 3");
		expect(await countRows("users", tenant.id)).toBe(0);
	});

	it("1,000 columns with long names import (the column map is not in every queue message); 1,001 are a 400", async () => {
		const { apiKey } = await createTenant();
		// About 130 KB of column map: more than a queue message may carry.
		const names = Array.from({ length: 999 }, (_, i) => `custom.${"attribute-of-a-very-long-name-".repeat(4)}${i}`);
		const row = (id: string) => [id, ...names.map((_, i) => (i % 100 === 0 ? `v${i}` : ""))].join(",");
		const file = [["externalId", ...names].join(","), row("wide-1"), row("wide-2")].join("\n");
		const res = await upload(apiKey.key, "type=users", file, CSV);
		expect(res.status).toBe(202);
		const job = await waitForJob(apiKey.key, (await res.json<JobView>()).id);
		expect(job).toMatchObject({ status: "completed", counts: { total: 2, created: 2, failed: 0 } });
		const user = await (await call("/v1/users/wide-2", { key: apiKey.key })).json<{ customFields: object }>();
		expect(Object.keys(user.customFields)).toHaveLength(10);

		const tooWide = await upload(apiKey.key, "type=users", `${file.split("\n")[0]},custom.one-more\n`, CSV);
		expect(tooWide.status).toBe(400);
		expect((await tooWide.json<{ error: { message: string } }>()).error.message).toBe(
			"A CSV file may have at most 1000 columns; this one has 1001",
		);
	});

	it("a multi-MiB CSV file imports every row", async () => {
		const { tenant, apiKey } = await createTenant();
		const n = 100_000;
		const rows = Array.from(
			{ length: n },
			(_, i) => `c-${i},colleague.number.${i}@example.com,"Last, ${i}",Team ${i % 9}`,
		);
		const body = `externalId,email,lastName,custom.team\n${rows.join("\n")}\n`;
		expect(body.length).toBeGreaterThan(5 * 1024 * 1024);
		const job = await waitForJob(
			apiKey.key,
			(await (await upload(apiKey.key, "type=users", body, CSV)).json<JobView>()).id,
		);
		expect(job.counts).toMatchObject({ total: n, created: n, failed: 0 });
		expect(await countRows("users", tenant.id)).toBe(n);
		const last = await (await call(`/v1/users/c-${n - 1}`, { key: apiKey.key })).json<Record<string, unknown>>();
		expect(last).toMatchObject({ lastName: `Last, ${n - 1}`, customFields: { team: `Team ${(n - 1) % 9}` } });
	});
});

describe("retrying failed records", () => {
	it("a retry job takes only the failed rows, and imports them once what they referenced exists", async () => {
		const { tenant, apiKey } = await createTenant();
		const key = apiKey.key;
		await call("/v1/courses/crs-1", { method: "PUT", key, json: { title: "Course" } });
		await call("/v1/users/bulk", { method: "POST", key, json: { users: [{ externalId: "known" }] } });
		const file = "user_id,course_id,source\nknown,crs-1,hris\nlate-hire,crs-1,hris\n";
		const parent = await waitForJob(key, (await (await upload(key, "type=enrollments", file, CSV)).json<JobView>()).id);
		expect(parent.counts).toMatchObject({ created: 1, failed: 1 });
		const early = await call(`/v1/jobs/${parent.id}/retry`, { method: "POST", key });
		expect(early.status).toBe(202);
		expect((await waitForJob(key, (await early.json<JobView>()).id)).counts).toMatchObject({ total: 1, failed: 1 });

		await call("/v1/users/bulk", { method: "POST", key, json: { users: [{ externalId: "late-hire" }] } });
		const res = await call(`/v1/jobs/${parent.id}/retry`, { method: "POST", key });
		expect(res.status).toBe(202);
		const retry = await waitForJob(key, (await res.json<JobView>()).id);
		expect(retry).toMatchObject({
			type: "enrollments.retry",
			status: "completed",
			counts: { total: 1, created: 1, failed: 0 },
		});
		expect(await countRows("enrollments", tenant.id)).toBe(2);
		const clean = await call(`/v1/jobs/${retry.id}/retry`, { method: "POST", key });
		expect(clean.status).toBe(409);
	});
});
