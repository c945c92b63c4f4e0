import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { db, records } from "../../src/db/client";
import { findTenant } from "../../src/db/queries/tenants";
import { call, countRows, createTenant, type JobView, upload, waitForJob } from "../helpers";

const NDJSON = { "Content-Type": "application/x-ndjson" };

/** One tenant on each shard: in a file's fresh databases the first three tenants take shards 0, 1, 2. */
async function tenantsOnEveryShard() {
	const tenants = [await createTenant("on 0"), await createTenant("on 1"), await createTenant("on 2")];
	const shards = await Promise.all(tenants.map(async (t) => (await findTenant(db(env), t.tenant.id))!.shard));
	expect(shards).toEqual([0, 1, 2]);
	return tenants;
}

describe("routes on every shard", () => {
	it("records, catalog, enrollments, imports, reports, retries and notifications work for a tenant on each shard", async () => {
		for (const [shard, { tenant, apiKey }] of (await tenantsOnEveryShard()).entries()) {
			const key = apiKey.key;
			const json = (path: string, body: unknown, method = "POST") => call(path, { method, key, json: body });
			const users = [{ externalId: `u-${shard}`, email: `u${shard}@example.com` }];
			expect((await json("/v1/users/bulk", { users, options: { sendWelcomeEmail: true } })).status).toBe(200);
			expect((await call(`/v1/users/u-${shard}`, { key })).status).toBe(200);
			const listed = await (await call(`/v1/users?email=u${shard}@example.com`, { key })).json<{ data: unknown[] }>();
			expect(listed.data).toHaveLength(1);
			expect((await json("/v1/companies/bulk", { companies: [{ companyId: `c-${shard}`, name: "C" }] })).status).toBe(
				200,
			);
			expect((await call(`/v1/companies/c-${shard}`, { key })).status).toBe(200);
			expect((await json(`/v1/courses/course-${shard}`, { title: "Course" }, "PUT")).status).toBe(200);
			expect((await call("/v1/courses", { key })).status).toBe(200);
			const enroll = await json("/v1/enrollments/bulk", {
				enrollments: [{ userId: `u-${shard}`, courseId: `course-${shard}` }],
			});
			expect(enroll.status).toBe(200);
			const enrolled = await (await call(`/v1/users/u-${shard}/enrollments`, { key })).json<{ data: unknown[] }>();
			expect(enrolled.data).toHaveLength(1);

			const file = `{"externalId":"f-${shard}"}\n{"email":"bad"}\n`;
			const job = await waitForJob(key, (await (await upload(key, "type=users", file, NDJSON)).json<JobView>()).id);
			expect(job.counts).toMatchObject({ created: 1, failed: 1 });
			expect(await (await call(`/v1/jobs/${job.id}/errors`, { key })).text()).toContain("bad");
			expect((await call(`/v1/jobs/${job.id}/results`, { key })).status).toBe(200);
			const retry = await call(`/v1/jobs/${job.id}/retry`, { method: "POST", key });
			expect(retry.status).toBe(202);
			await waitForJob(key, (await retry.json<JobView>()).id);
			expect((await call("/v1/notifications", { key })).status).toBe(200);

			expect(await countRows("users", tenant.id)).toBe(2);
			expect(await countRows("enrollments", tenant.id)).toBe(1);
			// Nothing of it on the other shards.
			for (const other of [0, 1, 2].filter((n) => n !== shard)) {
				const [row] = await records(env, other).all<{ n: number }>(
					`SELECT count(*) AS n FROM users WHERE tenant_id = '${tenant.id}'`,
				);
				expect(row!.n).toBe(0);
			}
		}
	});

	it("a foreign id is 404 whichever shard it lives on", async () => {
		const tenants = await tenantsOnEveryShard();
		for (const [i, { apiKey }] of tenants.entries()) {
			const users = [{ externalId: `own-${i}` }];
			await call("/v1/users/bulk", { method: "POST", key: apiKey.key, json: { users } });
		}
		for (const [i, { apiKey }] of tenants.entries()) {
			for (const j of [0, 1, 2].filter((n) => n !== i)) {
				expect((await call(`/v1/users/own-${j}`, { key: apiKey.key })).status).toBe(404);
			}
			expect((await call(`/v1/users/own-${i}`, { key: apiKey.key })).status).toBe(200);
		}
	});
});
