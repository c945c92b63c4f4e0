import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { tenantRecords } from "../../src/db/placement";
import { deactivateBatch, decide } from "../../src/db/writes/full-sync";
import type { ChunkMessage } from "../../src/schemas/messages";
import { ImportOptions } from "../../src/schemas/records";
import { call, createTenant, type JobView, shardOf, upload, waitForJob } from "../helpers";
import { deliverChunks, stageChunks } from "./staged";

const NDJSON = { "Content-Type": "application/x-ndjson" };
type SyncJob = JobView & { counts: JobView["counts"] & { deactivated: number } };

const lines = (records: object[]) => records.map((r) => `${JSON.stringify(r)}\n`).join("");

/** A tenant with users u0..u{n-1}, all active. */
async function tenantWithUsers(n: number) {
	const { tenant, apiKey } = await createTenant();
	const users = Array.from({ length: n }, (_, i) => ({ externalId: `u${i}`, email: `u${i}@example.com` }));
	const job = await (await upload(apiKey.key, "type=users", lines(users), NDJSON)).json<JobView>();
	expect((await waitForJob(apiKey.key, job.id)).counts.created).toBe(n);
	return { tenant, key: apiKey.key };
}

async function fullSync(key: string, records: object[], query = "") {
	const res = await upload(key, `type=users&sync=full${query}`, lines(records), NDJSON);
	expect(res.status).toBe(202);
	return (await waitForJob(key, (await res.json<JobView>()).id)) as SyncJob;
}

async function statuses(tenantId: string): Promise<Record<string, string>> {
	const { results } = await (await shardOf(tenantId))
		.prepare("SELECT external_id, status FROM users WHERE tenant_id = ? ORDER BY id")
		.bind(tenantId)
		.all<{ external_id: string; status: string }>();
	return Object.fromEntries(results.map((r) => [r.external_id, r.status]));
}

const inactive = async (tenantId: string) =>
	Object.entries(await statuses(tenantId))
		.filter(([, s]) => s === "inactive")
		.map(([id]) => id);

describe("sync=full on a users import", () => {
	it("deactivates exactly the users the file lacks: not those updated, unchanged, created or failed", async () => {
		const { tenant, key } = await tenantWithUsers(20);
		const present = [
			{ externalId: "u0", firstName: "Changed" },
			{ externalId: "u1", email: "u1@example.com" },
			// Fails validation, but names u2: a user whose record failed is kept.
			{ externalId: "u2", email: "not-an-email" },
			// Names u3 by email only, in another case (an update: the email's spelling changes).
			{ email: "U3@example.com" },
			{ externalId: "new" },
		];
		const seen = Array.from({ length: 14 }, (_, i) => ({ externalId: `u${i + 4}` }));
		const job = await fullSync(key, [...present, ...seen], "&maxDeactivate=2");
		expect(job.status).toBe("completed");
		expect(job.counts).toMatchObject({ total: 19, created: 1, updated: 2, unchanged: 15, failed: 1, deactivated: 2 });
		expect(job.counts.processed).toBe(19);
		expect((await inactive(tenant.id)).sort()).toEqual(["u18", "u19"]);

		const results = (await (await call(`/v1/jobs/${job.id}/results`, { key })).text()).trim().split("\n");
		expect(results.slice(-2).map((l) => JSON.parse(l))).toEqual([
			{ externalId: "u18", email: "u18@example.com", outcome: "deactivated" },
			{ externalId: "u19", email: "u19@example.com", outcome: "deactivated" },
		]);
		expect(results).toHaveLength(21);

		const user = await (await call("/v1/users/u19", { key })).json<{ status: string }>();
		expect(user.status).toBe("inactive");
		const list = await (await call("/v1/users?limit=100", { key })).json<{
			data: { externalId: string; status: string }[];
		}>();
		expect(list.data.find((u) => u.externalId === "u0")?.status).toBe("active");
		expect(list.data.filter((u) => u.status === "inactive")).toHaveLength(2);
	});

	it("an import that names an inactive user makes it active again, counted as updated", async () => {
		const { tenant, key } = await tenantWithUsers(10);
		await fullSync(
			key,
			Array.from({ length: 9 }, (_, i) => ({ externalId: `u${i}` })),
		);
		expect(await inactive(tenant.id)).toEqual(["u9"]);
		const again = await upload(key, "type=users", lines([{ externalId: "u9" }, { externalId: "u8" }]), NDJSON);
		const job = await waitForJob(key, (await again.json<JobView>()).id);
		expect(job.counts).toMatchObject({ updated: 1, unchanged: 1 });
		expect(await inactive(tenant.id)).toEqual([]);
		// A record may also say so itself.
		const off = await call("/v1/users/bulk", {
			method: "POST",
			key,
			json: { users: [{ externalId: "u1", status: "inactive" }] },
		});
		expect(await off.json()).toMatchObject({ updated: 1 });
		expect(await inactive(tenant.id)).toEqual(["u1"]);
	});

	it("above maxDeactivate the job fails saying how many, and nobody is deactivated", async () => {
		const { tenant, key } = await tenantWithUsers(20);
		// The default: 10 % of 20 active users is 2; the file lacks 3.
		const job = await fullSync(
			key,
			Array.from({ length: 17 }, (_, i) => ({ externalId: `u${i}`, firstName: "Kept" })),
		);
		expect(job.status).toBe("failed");
		expect(job.errorMessage).toContain("409");
		expect(job.errorMessage).toContain("would deactivate 3 of 20 active users");
		expect(job.errorMessage).toContain("10 % of 20 active users: 2");
		expect(job.counts).toMatchObject({ updated: 17, deactivated: 0 });
		expect(await inactive(tenant.id)).toEqual([]);
	});

	it("maxDeactivate is a count from 1 and a fraction below 1", async () => {
		const { tenant, key } = await tenantWithUsers(10);
		const keep = (n: number) => Array.from({ length: n }, (_, i) => ({ externalId: `u${i}` }));
		expect((await fullSync(key, keep(7), "&maxDeactivate=2")).status).toBe("failed");
		expect((await fullSync(key, keep(7), "&maxDeactivate=3")).counts.deactivated).toBe(3);
		expect((await fullSync(key, keep(4), "&maxDeactivate=0.2")).status).toBe("failed");
		const half = await fullSync(key, keep(5), "&maxDeactivate=0.5");
		expect(half).toMatchObject({ status: "completed", counts: { unchanged: 5, deactivated: 2 } });
		expect((await inactive(tenant.id)).sort()).toEqual(["u5", "u6", "u7", "u8", "u9"]);
	});

	it("a dry run reports who would be deactivated and changes nobody", async () => {
		const { tenant, key } = await tenantWithUsers(10);
		const job = await fullSync(key, [{ externalId: "u0" }], "&dryRun=true&maxDeactivate=0.9");
		expect(job).toMatchObject({ status: "completed", counts: { unchanged: 1, deactivated: 9 } });
		expect(await inactive(tenant.id)).toEqual([]);
	});

	it("is refused for other record types, and maxDeactivate without it", async () => {
		const { apiKey } = await createTenant();
		const companies = await upload(apiKey.key, "type=companies&sync=full", '{"companyId":"c"}\n', NDJSON);
		expect(companies.status).toBe(400);
		const alone = await upload(apiKey.key, "type=users&maxDeactivate=0.2", '{"externalId":"a"}\n', NDJSON);
		expect(alone.status).toBe(400);
		expect((await alone.json<{ error: { message: string } }>()).error.message).toContain("sync full");
		const inRequest = await call("/v1/users/bulk", {
			method: "POST",
			key: apiKey.key,
			json: { users: [{ externalId: "a" }], options: { sync: "full" } },
		});
		expect(inRequest.status).toBe(400);
	});
});

/** A full-sync users job whose chunks the test delivers itself, and the message of its last step. */
async function stagedSync(tenantId: string, chunks: string[][], maxDeactivate: number) {
	const options = ImportOptions.parse({ sync: "full", maxDeactivate });
	const { id, messages, spec } = await stageChunks(tenantId, options, chunks);
	// The queue takes nothing: the test delivers every message itself.
	const send = vi.spyOn(env.CHUNKS, "sendBatch").mockResolvedValue({} as never);
	await env.TENANT.get(env.TENANT.idFromName(tenantId)).submitJob(spec, "queue");
	const last = { ...messages[0]!, chunk: chunks.length, firstLine: 0, step: "deactivate" as const };
	return { id, messages, last, send };
}

describe("the last step under redelivery and crashes", () => {
	it("a redelivered chunk and a repeated last step change nothing more and count once", async () => {
		const { tenant, key } = await tenantWithUsers(10);
		const { id, messages, last, send } = await stagedSync(
			tenant.id,
			[
				['{"externalId":"u0"}', '{"externalId":"u1"}', '{"externalId":"u2"}'],
				['{"externalId":"u3"}', '{"externalId":"u4"}'],
			],
			5,
		);
		await deliverChunks("cohort-chunks", [messages[0]!, messages[0]!]);
		await deliverChunks("cohort-chunks", [messages[1]!]);
		await deliverChunks("cohort-chunks", [messages[0]!]);
		// The tenant object sent the last step once every chunk had reported.
		const sent = send.mock.calls.flatMap(([batch]) => [...batch].map((m) => m.body as ChunkMessage));
		expect(sent.filter((m) => m.step === "deactivate")).toEqual([last]);
		send.mockRestore();
		await deliverChunks("cohort-chunks", [last, last]);
		await deliverChunks("cohort-chunks", [last]);
		const job = await (await call(`/v1/jobs/${id}`, { key })).json<SyncJob>();
		expect(job).toMatchObject({ status: "completed", counts: { total: 5, unchanged: 5, deactivated: 5 } });
		expect((await inactive(tenant.id)).sort()).toEqual(["u5", "u6", "u7", "u8", "u9"]);
		const results = (await (await call(`/v1/jobs/${id}/results`, { key })).text()).trim().split("\n");
		expect(results.filter((l) => l.includes('"deactivated"'))).toHaveLength(5);
	});

	it("deciding twice keeps the first decision, and a batch run again deactivates nobody new", async () => {
		const { tenant } = await tenantWithUsers(6);
		const shard = await shardOf(tenant.id);
		const database = await tenantRecords(env, tenant.id);
		const jobId = `job_direct_${crypto.randomUUID()}`;
		const first = await decide(database, { tenantId: tenant.id, jobId, attempt: "a", maxDeactivate: 6 });
		expect(first).toMatchObject({ active: 6, candidates: 6, allowed: 6 });
		// A user made active after the decision is not among those it froze.
		await shard
			.prepare(
				"INSERT INTO users (tenant_id, external_id, created_at, updated_at, src_job, src_line) VALUES (?, 'late', 'x', 'x', 'x', 1)",
			)
			.bind(tenant.id)
			.run();
		expect(await decide(database, { tenantId: tenant.id, jobId, attempt: "b", maxDeactivate: 6 })).toEqual(first);
		const ctx = { tenantId: tenant.id, jobId, now: new Date().toISOString() };
		expect(await deactivateBatch(database, ctx)).toBe(true);
		// A user re-activated by something else after its batch stays active when the step runs again.
		await shard
			.prepare("UPDATE users SET status = 'active' WHERE tenant_id = ? AND external_id = 'u0'")
			.bind(tenant.id)
			.run();
		expect(await deactivateBatch(database, ctx)).toBe(false);
		expect((await inactive(tenant.id)).sort()).toEqual(["u1", "u2", "u3", "u4", "u5"]);
	});
});

describe("sync=full from other sources", () => {
	it("a staged upload's options carry it", async () => {
		const { tenant, key } = await tenantWithUsers(5);
		const created = await call("/v1/uploads", {
			method: "POST",
			key,
			json: { type: "users", format: "ndjson", options: { sync: "full", maxDeactivate: 1 } },
		});
		const { id } = await created.json<{ id: string }>();
		const body = lines([0, 1, 2, 3].map((i) => ({ externalId: `u${i}` })));
		await call(`/v1/uploads/${id}/parts/1`, {
			method: "PUT",
			key,
			body,
			headers: { "Content-Length": `${body.length}` },
		});
		const job = await (await call(`/v1/uploads/${id}/complete`, { method: "POST", key })).json<JobView>();
		expect(await waitForJob(key, job.id)).toMatchObject({ status: "completed", counts: { deactivated: 1 } });
		expect(await inactive(tenant.id)).toEqual(["u4"]);
	});

	it("a retry of a full sync's failed records deactivates nobody", async () => {
		const { tenant, key } = await tenantWithUsers(5);
		const records = [0, 1, 2, 3, 4].map((i) => ({ externalId: `u${i}` }));
		const job = await fullSync(key, [...records, { externalId: "bad", email: "nope" }], "&maxDeactivate=5");
		expect(job.counts).toMatchObject({ failed: 1, deactivated: 0 });
		const retry = await (await call(`/v1/jobs/${job.id}/retry`, { method: "POST", key })).json<JobView>();
		expect(await waitForJob(key, retry.id)).toMatchObject({
			status: "completed",
			counts: { failed: 1, deactivated: 0 },
		});
		expect(await inactive(tenant.id)).toEqual([]);
	});
});
