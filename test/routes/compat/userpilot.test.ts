import { describe, expect, it } from "vitest";
import { call, createTenant, type JobView, upload, waitForJob } from "../../helpers";

type ErrorBody = { error: { code: string; message: string } };

const ndjson = (lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join("\n");

function identifyFile(text: string) {
	const form = new FormData();
	form.append("file", new File([text], "users.ndjson", { type: "application/x-ndjson" }));
	return form;
}

const identify = (key: string, body: FormData | unknown, path = "/v1/users/bulk_identify") =>
	call(path, {
		method: "POST",
		headers: { Authorization: `Token ${key}` },
		...(body instanceof FormData ? { body } : { json: body }),
	});

describe("Userpilot bulk_identify", () => {
	it("imports the seed's JSON payload as a job and merges metadata into the stored user", async () => {
		const { apiKey } = await createTenant();
		const key = apiKey.key;
		const payload = {
			users: [
				{ user_id: "user_123", metadata: { name: "John Doe", email: "john@example.com", plan: "pro" } },
				{ user_id: "user_456", company_id: "acme", metadata: { name: "Jane Roe" } },
			],
		};
		const res = await identify(key, payload);
		expect(res.status).toBe(202);
		const job = await waitForJob(key, (await res.json<JobView>()).id);
		expect(job).toMatchObject({ status: "completed", counts: { created: 2, failed: 0 } });
		const user = await (await call("/v1/users/user_123", { key })).json();
		expect(user).toMatchObject({ externalId: "user_123", metadata: { name: "John Doe", plan: "pro" } });
	});

	it("takes a multipart NDJSON file and fails the records without user_id", async () => {
		const { apiKey } = await createTenant();
		const key = apiKey.key;
		const text = ndjson([{ user_id: "up-1", metadata: { plan: "pro" } }, { email: "only-email@example.com" }]);
		const res = await identify(key, identifyFile(text));
		expect(res.status).toBe(202);
		const job = await waitForJob(key, (await res.json<JobView>()).id);
		expect(job).toMatchObject({ type: "users.import", counts: { created: 1, failed: 1 } });
		const errors = await (await call(`/v1/jobs/${job.id}/errors`, { key })).text();
		expect(JSON.parse(errors.trim())).toMatchObject({ line: 2, code: "VALIDATION_ERROR", field: "user_id" });
		expect(await (await call("/v1/users/up-1", { key })).json()).toMatchObject({ metadata: { plan: "pro" } });
	});

	it("reports a bad user_id as user_id, the name the request used, not the canonical externalId", async () => {
		const { apiKey } = await createTenant();
		const users = [{ user_id: "x".repeat(256) }, { user_id: "ok", email: "not-an-email" }];
		const job = await waitForJob(apiKey.key, (await (await identify(apiKey.key, { users })).json<JobView>()).id);
		const report = (await (await call(job.links.errors, { key: apiKey.key })).text()).trim().split("\n");
		expect(report.map((row) => JSON.parse(row)).map(({ index, field, error }) => ({ index, field, error }))).toEqual([
			{ index: 0, field: "user_id", error: "Too big: expected string to have <=255 characters" },
			{ index: 1, field: "email", error: "Invalid email format" },
		]);
	});

	it("answers 413 above 10,000 records, as JSON or as a file, and starts no job", async () => {
		const { apiKey } = await createTenant();
		const key = apiKey.key;
		const users = Array.from({ length: 10_001 }, (_, i) => ({ user_id: `u${i}` }));
		expect((await identify(key, { users })).status).toBe(413);
		const file = await identify(key, identifyFile(ndjson(users)));
		expect(file.status).toBe(413);
		expect((await file.json<ErrorBody>()).error.message).toContain("10000");
		const { data } = await (await call("/v1/jobs", { key })).json<{ data: unknown[] }>();
		expect(data).toEqual([]);
	});

	it("answers 413 to a file over 50 MB", async () => {
		const { apiKey } = await createTenant();
		const line = JSON.stringify({ user_id: "x", metadata: { blob: "x".repeat(1000) } });
		const text = `${line}\n`.repeat(Math.ceil((50 * 1024 * 1024) / (line.length + 1)) + 1);
		const res = await identify(apiKey.key, identifyFile(text), "/v1/companies/bulk_identify");
		expect(res.status).toBe(413);
	});

	it("answers 409 while another of the tenant's jobs is pending or running", async () => {
		// Pacing at one record a minute keeps the first job processing for the whole test.
		const { apiKey } = await createTenant("Busy", { recordsPerMinute: 1 });
		const key = apiKey.key;
		const running = await upload(key, "type=users", ndjson([{ externalId: "a" }, { externalId: "b" }]), {
			"Content-Type": "application/x-ndjson",
		});
		expect(running.status).toBe(202);
		const res = await identify(key, { users: [{ user_id: "late" }] });
		expect(res.status).toBe(409);
		expect((await res.json<ErrorBody>()).error.code).toBe("JOB_IN_PROGRESS");
		const file = await identify(key, identifyFile(ndjson([{ user_id: "late" }])), "/v1/companies/bulk_identify");
		expect(file.status).toBe(409);
	});
});
