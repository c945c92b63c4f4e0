import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { db, records } from "../../src/db/client";
import { chooseShift } from "../../src/db/move/pass";
import { findMove, insertMove } from "../../src/db/queries/moves";
import { findTenant } from "../../src/db/queries/tenants";
import { moveStep } from "../../src/jobs/move";
import { call, createTenant, type JobView, OPERATOR_KEY, upload, waitForJob } from "../helpers";
import { expectNone, postMove, rowCounts, tenantRows, waitForMove } from "./moving";

const NDJSON = { "Content-Type": "application/x-ndjson" };

/** A tenant with rows in every record table: users, companies, a course, enrollments, welcomes, and a job with an error. */
async function busyTenant(name: string, users = 30) {
	const { tenant, apiKey } = await createTenant(name);
	const key = apiKey.key;
	const json = (path: string, body: unknown, method = "POST") => call(path, { method, key, json: body });
	await json("/v1/companies/bulk", { companies: [{ companyId: `${name}-co`, name: "Co" }] });
	const list = Array.from({ length: users }, (_, i) => ({
		externalId: `${name}-${i}`,
		email: `${name}${i}@example.com`,
		companyId: `${name}-co`,
	}));
	expect((await json("/v1/users/bulk", { users: list, options: { sendWelcomeEmail: true } })).status).toBe(200);
	await json(`/v1/courses/${name}-course`, { title: "Course" }, "PUT");
	await json("/v1/enrollments/bulk", {
		enrollments: list.slice(0, 10).map((u) => ({ userId: u.externalId, courseId: `${name}-course` })),
	});
	const file = `{"externalId":"${name}-file"}\n{"email":"bad"}\n`;
	const job = await waitForJob(key, (await (await upload(key, "type=users", file, NDJSON)).json<JobView>()).id);
	return { tenant, key, jobs: [job.id] };
}

const shardOfTenant = async (id: string) => (await findTenant(db(env), id))!.shard;

describe("moving a tenant between shards", () => {
	it("carries every row over exactly, leaves none behind, and the tenant works on every route afterwards", async () => {
		const a = await busyTenant("a");
		const b = await busyTenant("b");
		const from = await shardOfTenant(a.tenant.id);
		const to = await shardOfTenant(b.tenant.id);
		expect(from).not.toBe(to);
		const before = await tenantRows(a.tenant.id, from, a.jobs);
		const neighbour = await tenantRows(b.tenant.id, to, b.jobs);

		const started = await postMove(a.tenant.id, to);
		expect(started.status).toBe(202);
		expect(started.headers.get("Location")).toBe(`/v1/tenants/${a.tenant.id}/move`);
		const move = await waitForMove(a.tenant.id);
		expect(move).toMatchObject({ status: "completed", phase: "completed", fromShard: from, toShard: to });

		expect(await shardOfTenant(a.tenant.id)).toBe(to);
		const moveId = (await (await call(`/v1/tenants/${a.tenant.id}/move`, { key: OPERATOR_KEY })).json<{ id: string }>())
			.id;
		expect(await tenantRows(a.tenant.id, to, a.jobs, moveId)).toEqual(before);
		expectNone(await rowCounts(a.tenant.id, from, a.jobs));
		expect(await tenantRows(b.tenant.id, to, b.jobs)).toEqual(neighbour);

		const key = a.key;
		expect((await call("/v1/users/a-3", { key })).status).toBe(200);
		const enrolled = await (await call("/v1/users/a-3/enrollments", { key })).json<{ data: unknown[] }>();
		expect(enrolled.data).toHaveLength(1);
		expect(await (await call(`/v1/jobs/${a.jobs[0]}/errors`, { key })).text()).toContain("bad");
		const more = await call("/v1/users/bulk", {
			method: "POST",
			key,
			json: { users: [{ externalId: "a-new" }, { externalId: "a-3", firstName: "Renamed" }] },
		});
		expect(more.status).toBe(200);
		const renamed = await (await call("/v1/users/a-3", { key })).json<{ firstName: string }>();
		expect(renamed.firstName).toBe("Renamed");
		const listed = await (await call("/v1/users?limit=100", { key })).json<{ data: unknown[] }>();
		expect(listed.data).toHaveLength(32);
		// Undo reads before-images by row id, which the move changed.
		const undo = await call(`/v1/jobs/${a.jobs[0]}/undo`, { method: "POST", key });
		expect(undo.status).toBe(409);
		expect(await undo.text()).toContain("moved to another shard");
		// B's users were not touched by A's new rows.
		expect((await call("/v1/users/b-3", { key: b.key })).status).toBe(200);
		expect((await call("/v1/users/a-3", { key: b.key })).status).toBe(404);
	});

	it("refuses a shard the tenant is on, a shard that does not exist, an unknown tenant, and a second move", async () => {
		const { tenant } = await createTenant("refused");
		const shard = await shardOfTenant(tenant.id);
		expect((await postMove(tenant.id, shard)).status).toBe(409);
		const missing = await postMove(tenant.id, 3);
		expect(missing.status).toBe(400);
		expect(await missing.text()).toContain("no shard 3");
		expect((await postMove("t_nobody", (shard + 1) % 3)).status).toBe(404);
		expect((await postMove(tenant.id, (shard + 1) % 3)).status).toBe(202);
		const second = await postMove(tenant.id, (shard + 2) % 3);
		expect(second.status).toBe(409);
		expect(await second.text()).toContain("is running");
		await waitForMove(tenant.id);
	});

	it("answers writes with 503 and Retry-After while it switches, and reads from the old shard until then", async () => {
		const a = await busyTenant("p", 5);
		const from = await shardOfTenant(a.tenant.id);
		const to = (from + 1) % 3;
		// Stepped by hand (no queue message), so the test decides when each step runs.
		const id = "mov_paused";
		await insertMove(db(env), {
			id,
			tenantId: a.tenant.id,
			fromShard: from,
			toShard: to,
			phase: "pausing",
			shift: await chooseShift(records(env, from), records(env, to)),
			createdAt: new Date().toISOString(),
			heartbeat: 0,
		});
		await moveStep(env, id);
		const refused = await call("/v1/users/bulk", {
			method: "POST",
			key: a.key,
			json: { users: [{ externalId: "p-9" }] },
		});
		expect(refused.status).toBe(503);
		expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
		expect((await refused.json<{ error: { code: string } }>()).error.code).toBe("TENANT_MOVING");
		expect((await call("/v1/users/p-1", { key: a.key })).status).toBe(200);
		expect(await shardOfTenant(a.tenant.id)).toBe(from);

		while ((await findMove(db(env), id))!.phase !== "completed") await moveStep(env, id);
		expect(await shardOfTenant(a.tenant.id)).toBe(to);
		const accepted = await call("/v1/users/bulk", {
			method: "POST",
			key: a.key,
			json: { users: [{ externalId: "p-9" }] },
		});
		expect(accepted.status).toBe(200);
		expect((await call("/v1/users/p-1", { key: a.key })).status).toBe(200);
	});
});
