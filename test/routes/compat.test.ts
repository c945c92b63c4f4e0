import { describe, expect, it } from "vitest";
import { call, createTenant, type JobView, waitForJob } from "../helpers";

describe("the Bulk Operations API (/v1/bulk)", () => {
	it("takes users as /v1/users/bulk does and shows their job at /v1/bulk/jobs/:id", async () => {
		const { apiKey } = await createTenant();
		const key = apiKey.key;
		const users = [{ externalId: "ops-1" }, { externalId: "ops-2", email: "ops2@example.com" }];
		const sync = await call("/v1/bulk/users", { method: "POST", key, json: { users } });
		expect(sync.status).toBe(200);
		expect(await sync.json()).toMatchObject({ successful: 2, created: 2 });

		const queued = await call("/v1/bulk/users?mode=async", { method: "POST", key, json: { users } });
		expect(queued.status).toBe(202);
		const { id } = await queued.json<JobView>();
		expect(queued.headers.get("Location")).toBe(`/v1/jobs/${id}`);
		await waitForJob(key, id);
		const job = await (await call(`/v1/bulk/jobs/${id}`, { key })).json<JobView>();
		expect(job).toMatchObject({ id, status: "completed", counts: { updated: 2 } });
	});
});

describe("Userpilot bulk_identify", () => {
	it("takes a multipart NDJSON file with the Token scheme and imports it as a job", async () => {
		const { apiKey } = await createTenant();
		const key = apiKey.key;
		const lines = [
			{ user_id: "up-1", metadata: { plan: "pro" } },
			{ user_id: "up-2", email: "up2@example.com" },
		];
		const form = new FormData();
		const text = lines.map((l) => JSON.stringify(l)).join("\n");
		form.append("file", new File([text], "users.ndjson", { type: "application/x-ndjson" }));
		const res = await call("/v1/users/bulk_identify", {
			method: "POST",
			headers: { Authorization: `Token ${key}` },
			body: form,
		});
		expect(res.status).toBe(202);
		const job = await waitForJob(key, (await res.json<JobView>()).id);
		expect(job).toMatchObject({ type: "users.import", counts: { created: 2, failed: 0 } });
		expect(await (await call("/v1/users/up-1", { key })).json()).toMatchObject({ metadata: { plan: "pro" } });
	});

	it("answers a JSON batch of any size with a job", async () => {
		const { apiKey } = await createTenant();
		const res = await call("/v1/users/bulk_identify", {
			method: "POST",
			key: apiKey.key,
			json: { users: [{ user_id: "one" }] },
		});
		expect(res.status).toBe(202);
		expect((await waitForJob(apiKey.key, (await res.json<JobView>()).id)).counts.created).toBe(1);
	});

	it("reports a bad user_id as user_id, the name the request used, not the canonical externalId", async () => {
		const { apiKey } = await createTenant();
		const users = [{ user_id: "x".repeat(256) }, { user_id: "ok", email: "not-an-email" }];
		const res = await call("/v1/users/bulk_identify", { method: "POST", key: apiKey.key, json: { users } });
		const job = await waitForJob(apiKey.key, (await res.json<JobView>()).id);
		const report = (await (await call(job.links.errors, { key: apiKey.key })).text()).trim().split("\n");
		expect(report.map((row) => JSON.parse(row)).map(({ index, field, error }) => ({ index, field, error }))).toEqual([
			{ index: 0, field: "user_id", error: "Too big: expected string to have <=255 characters" },
			{ index: 1, field: "email", error: "Invalid email format" },
		]);
	});
});
