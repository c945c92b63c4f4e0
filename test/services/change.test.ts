import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { ChunkMessage } from "../../src/schemas/messages";
import { call, createTenant, type JobView, shardOf, upload, waitForJob } from "../helpers";
import { deliverChunks } from "../jobs/staged";

const NDJSON = { "Content-Type": "application/x-ndjson" };

const ndjson = (records: object[]) => `${records.map((r) => JSON.stringify(r)).join("\n")}\n`;

async function importFile(key: string, records: object[], query = "type=users") {
	const res = await upload(key, query, ndjson(records), NDJSON);
	expect(res.status).toBe(202);
	return waitForJob(key, (await res.json<JobView>()).id);
}

async function post(key: string, path: string) {
	return call(path, { method: "POST", key });
}

/** Every stored column of a tenant's rows, in id order. */
async function fullRead(table: "users" | "companies", tenantId: string) {
	return (
		await (
			await shardOf(tenantId)
		)
			.prepare(`SELECT * FROM ${table} WHERE tenant_id = ? ORDER BY id`)
			.bind(tenantId)
			.all()
	).results;
}

async function results(key: string, jobId: string) {
	const text = await (await call(`/v1/jobs/${jobId}/results`, { key })).text();
	return text
		.split("\n")
		.filter(Boolean)
		.map((l) => JSON.parse(l) as Record<string, unknown> & { line: number; outcome: string });
}

const base = (i: number) => ({
	externalId: `u${i}`,
	email: `u${i}@example.com`,
	firstName: `First${i}`,
	customFields: { team: "red", level: i % 7 },
});

describe("preview then commit", () => {
	it("a preview of 10,000 records shows each update's exact changes and the commit writes exactly that", async () => {
		const { tenant, apiKey } = await createTenant();
		await importFile(
			apiKey.key,
			Array.from({ length: 6_000 }, (_, i) => base(i)),
		);
		const before = await fullRead("users", tenant.id);
		// 3,000 updates (a name, a custom key set, one removed), 3,000 unchanged, 4,000 new users.
		const file = Array.from({ length: 10_000 }, (_, i) =>
			i < 3_000 ? { externalId: `u${i}`, firstName: `New${i}`, customFields: { team: "blue", level: null } } : base(i),
		);
		const preview = await importFile(apiKey.key, file, "type=users&dryRun=true");
		expect(preview.counts).toMatchObject({ total: 10_000, updated: 3_000, unchanged: 3_000, created: 4_000 });
		expect(await fullRead("users", tenant.id)).toEqual(before);
		const rows = await results(apiKey.key, preview.id);
		expect(rows[0]).toEqual({
			line: 1,
			externalId: "u0",
			outcome: "updated",
			changes: { firstName: ["First0", "New0"], "customFields.team": ["red", "blue"], "customFields.level": [0, null] },
		});
		expect(rows.filter((r) => r.changes).length).toBe(3_000);
		expect(rows[3_000]).toEqual({ line: 3_001, externalId: "u3000", email: "u3000@example.com", outcome: "unchanged" });

		const res = await post(apiKey.key, `/v1/jobs/${preview.id}/commit`);
		expect(res.status).toBe(202);
		const commit = await waitForJob(apiKey.key, (await res.json<JobView & { commitOf: string }>()).id);
		expect(commit).toMatchObject({ status: "completed", dryRun: false, commitOf: preview.id });
		expect(commit.counts).toEqual(preview.counts);
		// Every previewed change, and nothing else, is what the commit wrote.
		const after = new Map((await fullRead("users", tenant.id)).map((u) => [u.external_id, u]));
		expect(after.size).toBe(10_000);
		for (const row of rows) {
			const stored = after.get(row.externalId)!;
			if (row.outcome !== "updated") continue;
			for (const [field, [, value]] of Object.entries(row.changes as Record<string, [unknown, unknown]>)) {
				const [column, key] = field.split(".");
				const actual = key ? JSON.parse(stored.custom_fields as string)[key] : stored.first_name;
				expect(actual ?? null, `${row.externalId} ${column}`).toEqual(value);
			}
		}
		const untouched = before.filter((u) => Number((u.external_id as string).slice(1)) >= 3_000);
		for (const u of untouched) expect(after.get(u.external_id)).toEqual(u);

		const again = await post(apiKey.key, `/v1/jobs/${preview.id}/commit`);
		expect(again.status).toBe(409);
		expect((await again.json<{ error: { message: string } }>()).error.message).toContain(commit.id);
	});

	it("a commit after a change to a previewed record is refused naming the record, and nothing is written", async () => {
		const { tenant, apiKey } = await createTenant();
		await importFile(apiKey.key, [base(1), base(2), base(3)]);
		const preview = await importFile(
			apiKey.key,
			[{ externalId: "u1", firstName: "A" }, base(2), { externalId: "u9", email: "taken@example.com" }],
			"type=users&dryRun=true",
		);
		// After the preview: u2 (unchanged in it) is edited, and u9's email goes to another new user.
		const sync = await call("/v1/users/bulk", {
			method: "POST",
			key: apiKey.key,
			json: {
				users: [
					{ externalId: "u2", firstName: "Edited" },
					{ externalId: "u8", email: "taken@example.com" },
				],
			},
		});
		expect(sync.status).toBe(200);
		const before = await fullRead("users", tenant.id);
		const res = await post(apiKey.key, `/v1/jobs/${preview.id}/commit`);
		expect(res.status).toBe(409);
		const { error } = await res.json<{ error: { code: string; message: string; details: { path: string }[] } }>();
		expect(error.code).toBe("CONFLICT");
		expect(error.message).toContain("line 2 (u2)");
		expect(error.message).toContain("line 3 (u9)");
		expect(error.details.map((d) => d.path)).toEqual(["line 2", "line 3"]);
		expect(await fullRead("users", tenant.id)).toEqual(before);
	});

	it("only a completed preview can be committed", async () => {
		const { apiKey } = await createTenant();
		const real = await importFile(apiKey.key, [base(1)]);
		expect((await post(apiKey.key, `/v1/jobs/${real.id}/commit`)).status).toBe(409);
		expect((await post(apiKey.key, "/v1/jobs/job_nope/commit")).status).toBe(404);
	});
});

describe("undo", () => {
	async function importedThenChanged() {
		const { tenant, apiKey } = await createTenant();
		for (const id of ["crs_a", "crs_b"]) {
			expect((await call(`/v1/courses/${id}`, { method: "PUT", key: apiKey.key, json: { title: id } })).status).toBe(
				200,
			);
		}
		await importFile(
			apiKey.key,
			Array.from({ length: 7_000 }, (_, i) => base(i)),
		);
		await importFile(apiKey.key, [{ companyId: "c1", name: "One", metadata: { tier: 1 } }], "type=companies");
		const users = await fullRead("users", tenant.id);
		const companies = await fullRead("companies", tenant.id);
		// 10,000 records: 3,000 updates, 4,000 unchanged, 3,000 new users; one company renamed, one new.
		const file = Array.from({ length: 10_000 }, (_, i) =>
			i < 3_000
				? { externalId: `u${i}`, lastName: `L${i}`, customFields: { team: "green" } }
				: i < 7_000
					? base(i)
					: { ...base(i), email: `new${i}@example.com` },
		);
		const job = await importFile(apiKey.key, file, "type=users&sendWelcomeEmail=true");
		expect(job.counts).toMatchObject({ created: 3_000, updated: 3_000, unchanged: 4_000 });
		const companyJob = await importFile(
			apiKey.key,
			[{ companyId: "c1", name: "Uno" }, { companyId: "c2" }],
			"type=companies",
		);
		const enrolled = await call("/v1/enrollments/bulk", {
			method: "POST",
			key: apiKey.key,
			json: {
				enrollments: [
					{ userId: "u7000", courseId: "crs_a" },
					{ userId: "u1", courseId: "crs_b" },
				],
			},
		});
		expect(enrolled.status).toBe(200);
		return { tenant, key: apiKey.key, users, companies, job, companyJob };
	}

	it("restores every updated row exactly, removes created users with their enrollments, and keeps a row edited since", async () => {
		const { tenant, key, users, companies, job, companyJob } = await importedThenChanged();
		const edit = await call("/v1/users/bulk", {
			method: "POST",
			key,
			json: { users: [{ externalId: "u5", role: "x" }] },
		});
		expect(edit.status).toBe(200);
		const edited = (await fullRead("users", tenant.id)).find((u) => u.external_id === "u5");

		const res = await post(key, `/v1/jobs/${job.id}/undo`);
		expect(res.status).toBe(202);
		const undo = await waitForJob(key, (await res.json<JobView>()).id);
		expect(undo).toMatchObject({ type: "users.undo", status: "completed", undoOf: job.id });
		expect(undo.counts).toMatchObject({ total: 6_000, processed: 6_000, updated: 5_999, skipped: 1 });
		const after = await fullRead("users", tenant.id);
		expect(after).toEqual(users.map((u) => (u.external_id === "u5" ? edited : u)));
		const rows = await results(key, undo.id);
		expect(rows.find((r) => r.externalId === "u5")).toMatchObject({ line: 6, outcome: "skipped", code: "CONFLICT" });
		expect(rows.find((r) => r.externalId === "u7000")).toMatchObject({ outcome: "updated", action: "removed" });
		expect(rows.find((r) => r.externalId === "u0")).toMatchObject({
			action: "restored",
			changes: { lastName: ["L0", null], "customFields.team": ["green", "red"] },
		});
		const left = await (await shardOf(tenant.id))
			.prepare(
				"SELECT (SELECT count(*) FROM enrollments WHERE tenant_id = ?1) AS e, (SELECT count(*) FROM notifications WHERE tenant_id = ?1 AND delivered_at IS NULL) AS n",
			)
			.bind(tenant.id)
			.first<{ e: number; n: number }>();
		// u1's enrollment stays (u1 was updated, not created); u7000's went with it, as did its pending welcome.
		expect(left).toEqual({ e: 1, n: 0 });

		const companyUndo = await waitForJob(
			key,
			(await (await post(key, `/v1/jobs/${companyJob.id}/undo`)).json<JobView>()).id,
		);
		expect(companyUndo.counts).toMatchObject({ total: 2, updated: 2 });
		expect(await fullRead("companies", tenant.id)).toEqual(companies);

		const twice = await post(key, `/v1/jobs/${undo.id}/undo`);
		expect(twice.status).toBe(409);
		expect((await twice.json<{ error: { message: string } }>()).error.message).toContain("cannot be undone");
		expect((await post(key, `/v1/jobs/${job.id}/undo`)).status).toBe(409);
	});

	it("an undo puts back a user's status: one the job re-activated is inactive again", async () => {
		const { tenant, apiKey } = await createTenant();
		const key = apiKey.key;
		await importFile(key, [{ externalId: "s1", status: "inactive" }, { externalId: "s2" }]);
		const before = await fullRead("users", tenant.id);
		const job = await importFile(key, [{ externalId: "s1" }, { externalId: "s2" }]);
		expect(job.counts).toMatchObject({ updated: 1, unchanged: 1 });
		const undo = await waitForJob(key, (await (await post(key, `/v1/jobs/${job.id}/undo`)).json<JobView>()).id);
		expect(undo.counts).toMatchObject({ updated: 1 });
		expect(await fullRead("users", tenant.id)).toEqual(before);
		const rows = await results(key, undo.id);
		expect(rows.find((r) => r.externalId === "s1")).toMatchObject({ changes: { status: ["active", "inactive"] } });
	});

	it("an undo of a full sync re-activates the users it deactivated exactly, and keeps one changed since", async () => {
		const { tenant, apiKey } = await createTenant();
		const key = apiKey.key;
		await importFile(
			key,
			Array.from({ length: 10 }, (_, i) => base(i)),
		);
		const before = await fullRead("users", tenant.id);
		const kept = Array.from({ length: 7 }, (_, i) => (i === 0 ? { ...base(0), firstName: "Synced" } : base(i)));
		const job = await importFile(key, kept, "type=users&sync=full&maxDeactivate=3");
		expect(job.counts).toMatchObject({ updated: 1, unchanged: 6, deactivated: 3 });
		// u9 is written after the sync (which makes it active again): the undo must leave it.
		await call("/v1/users/bulk", { method: "POST", key, json: { users: [{ externalId: "u9", role: "x" }] } });
		const edited = (await fullRead("users", tenant.id)).find((u) => u.external_id === "u9");
		expect(edited).toMatchObject({ status: "active", role: "x" });

		const undo = await waitForJob(key, (await (await post(key, `/v1/jobs/${job.id}/undo`)).json<JobView>()).id);
		expect(undo).toMatchObject({ status: "completed", undoOf: job.id });
		expect(undo.counts).toMatchObject({ total: 4, processed: 4, updated: 3, skipped: 1 });
		expect(await fullRead("users", tenant.id)).toEqual(before.map((u) => (u.external_id === "u9" ? edited : u)));
		const rows = await results(key, undo.id);
		expect(rows.filter((r) => r.line === undefined)).toEqual([
			{
				externalId: "u7",
				email: "u7@example.com",
				outcome: "updated",
				action: "restored",
				changes: { status: ["inactive", "active"] },
			},
			{
				externalId: "u8",
				email: "u8@example.com",
				outcome: "updated",
				action: "restored",
				changes: { status: ["inactive", "active"] },
			},
			{
				externalId: "u9",
				email: "u9@example.com",
				outcome: "skipped",
				code: "CONFLICT",
				error: "User u9 changed after the job; it was left as it is",
			},
		]);
	});

	it("a running job cannot be undone, nor a preview", async () => {
		const { apiKey } = await createTenant();
		const preview = await importFile(apiKey.key, [base(1)], "type=users&dryRun=true");
		expect((await post(apiKey.key, `/v1/jobs/${preview.id}/undo`)).status).toBe(409);
		const send = vi.spyOn(env.CHUNKS, "sendBatch").mockResolvedValue({} as never);
		try {
			const running = await (await upload(apiKey.key, "type=users", ndjson([base(2)]), NDJSON)).json<JobView>();
			const res = await post(apiKey.key, `/v1/jobs/${running.id}/undo`);
			expect(res.status).toBe(409);
			expect((await res.json<{ error: { message: string } }>()).error.message).toContain("still processing");
		} finally {
			send.mockRestore();
		}
	});

	it("an undo chunk delivered twice changes nothing the second time", async () => {
		const { tenant, apiKey } = await createTenant();
		await importFile(apiKey.key, [base(1), base(2)]);
		const job = await importFile(apiKey.key, [{ externalId: "u1", firstName: "Changed" }, base(3)]);
		const imported = await fullRead("users", tenant.id);
		// The queue loses the undo's send; the test delivers its chunk itself, twice.
		const send = vi.spyOn(env.CHUNKS, "sendBatch").mockResolvedValueOnce({} as never);
		const undo = await (await post(apiKey.key, `/v1/jobs/${job.id}/undo`)).json<JobView>();
		send.mockRestore();
		const spec = await env.TENANT.get(env.TENANT.idFromName(tenant.id)).getJobSpec(undo.id);
		const message: ChunkMessage = {
			tenantId: tenant.id,
			jobId: undo.id,
			chunk: 0,
			firstLine: 1,
			recordType: "users",
			format: "ndjson",
			origin: "file",
			options: spec!.options,
			undoOf: spec!.undoOf,
		};
		await deliverChunks("cohort-chunks", [message]);
		const undone = await fullRead("users", tenant.id);
		expect(undone).toHaveLength(2);
		expect(undone).not.toEqual(imported);
		// The row undo restored is edited again; a redelivered chunk must not restore it a second time.
		await call("/v1/users/bulk", {
			method: "POST",
			key: apiKey.key,
			json: { users: [{ externalId: "u1", role: "r" }] },
		});
		const edited = await fullRead("users", tenant.id);
		await deliverChunks("cohort-chunks", [message, message]);
		expect(await fullRead("users", tenant.id)).toEqual(edited);
		const done = await waitForJob(apiKey.key, undo.id);
		expect(done.counts).toMatchObject({ total: 2, processed: 2, updated: 2, skipped: 0 });
	});
});
