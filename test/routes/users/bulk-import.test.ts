import { describe, expect, inject, it, vi } from "vitest";
import { call, countRows, createTenant, type JobView, shardOf, waitForJob } from "../../helpers";

const CSV_FILE = [
	"email,first_name,last_name,user_id",
	"ann@example.com,Ann,Lee,emp-1",
	"bob@example.com,Bob,Ray,emp-2",
	"not-an-email,Cy,Ng,emp-3",
].join("\n");

const { origin, closedPort } = inject("loopback");

/** A URL on the loopback test server that answers with `body` as `type`. */
const served = (body: string, type = "text/csv", status = 200) =>
	`${origin}/file?${new URLSearchParams({ body, type, status: String(status) })}`;

async function withCatalog() {
	const t = await createTenant();
	const key = t.apiKey.key;
	for (const [path, id] of [
		["courses", "crs-a"],
		["courses", "crs-b"],
		["learning-paths", "lp-1"],
		["bundles", "bnd-1"],
		["licenses", "lic-1"],
	]) {
		await call(`/v1/${path}/${id}`, { method: "PUT", key, json: { title: id } });
	}
	return { ...t, key };
}

describe("POST /v1/users/bulkImport", () => {
	it("imports the CSV at the URL and enrolls every user in every listed item, with role, client and invite", async () => {
		const { tenant, key } = await withCatalog();
		const res = await call("/incoming/v2/users/bulkImport", {
			method: "POST",
			key,
			json: {
				url: served(CSV_FILE),
				inviteMessage: "Welcome to the academy",
				bundleIds: "bnd-1",
				courseIds: ["crs-a", "crs-b"],
				learningPathIds: ["lp-1"],
				licenseIds: ["lic-1"],
				clientId: "portal-7",
				role: "learner",
			},
		});
		expect(res.status).toBe(202);
		const { data } = await res.json<{ data: { APIBulkImport: { id: string; type: string; status: string } } }>();
		expect(Object.keys(data.APIBulkImport).sort()).toEqual([
			"createdAt",
			"description",
			"errorMessage",
			"id",
			"repeatable",
			"status",
			"type",
		]);
		const job = await waitForJob(key, data.APIBulkImport.id);
		expect(job).toMatchObject({
			type: "users.bulkImport",
			status: "completed",
			counts: { total: 3, created: 2, failed: 1 },
		});
		for (const id of ["emp-1", "emp-2"]) {
			const user = await (await call(`/v1/users/${id}`, { key })).json();
			expect(user).toMatchObject({ role: "learner", clientId: "portal-7" });
			const { data: items } = await (await call(`/v1/users/${id}/enrollments`, { key })).json<{
				data: { kind: string; itemId: string }[];
			}>();
			expect(items.map((i) => `${i.kind}:${i.itemId}`).sort()).toEqual([
				"bundle:bnd-1",
				"course:crs-a",
				"course:crs-b",
				"learningPath:lp-1",
				"license:lic-1",
			]);
		}
		expect(await countRows("enrollments", tenant.id)).toBe(10);
		const invites = await (await shardOf(tenant.id))
			.prepare("SELECT invite_message AS m FROM notifications WHERE tenant_id = ?")
			.bind(tenant.id)
			.all<{ m: string }>();
		expect(invites.results.map((r) => r.m)).toEqual(["Welcome to the academy", "Welcome to the academy"]);
	});

	it("an undo removes what it assigned to users it found as well as to users it created, and nothing older", async () => {
		const { tenant, key } = await withCatalog();
		const existing = { externalId: "emp-1", email: "ann@example.com", firstName: "Ann", lastName: "Lee" };
		expect((await call("/v1/users/bulk", { method: "POST", key, json: { users: [existing] } })).status).toBe(200);
		const enrolled = await call("/v1/enrollments/bulk", {
			method: "POST",
			key,
			json: { enrollments: [{ userId: "emp-1", courseId: "crs-b" }] },
		});
		expect(enrolled.status).toBe(200);
		const enrollments = async () =>
			(
				await (
					await shardOf(tenant.id)
				)
					.prepare("SELECT * FROM enrollments WHERE tenant_id = ? ORDER BY user_id, kind, item_id")
					.bind(tenant.id)
					.all()
			).results;
		const before = await enrollments();
		expect(before).toHaveLength(1);
		const res = await call("/v1/users/bulkImport", {
			method: "POST",
			key,
			json: { url: served(CSV_FILE), courseIds: ["crs-a", "crs-b"], licenseIds: ["lic-1"] },
		});
		const job = await waitForJob(key, (await res.json<JobView>()).id);
		expect(job.counts).toMatchObject({ created: 1, unchanged: 1, failed: 1 });
		// emp-1 gains crs-a and lic-1 (crs-b it had), emp-2 all three.
		expect(await enrollments()).toHaveLength(6);
		const undo = await call(`/v1/jobs/${job.id}/undo`, { method: "POST", key });
		expect(undo.status).toBe(202);
		expect(await waitForJob(key, (await undo.json<JobView>()).id)).toMatchObject({ status: "completed" });
		expect(await enrollments()).toEqual(before);
	});

	it("dryRun leaves D1 unchanged and reports the same errors as the real run", async () => {
		const { tenant, key } = await withCatalog();
		const body = { url: served(CSV_FILE), courseIds: ["crs-a"] };
		const dry = await waitForJob(
			key,
			(
				await (
					await call("/v1/users/bulkImport", { method: "POST", key, json: { ...body, dryRun: true } })
				).json<JobView>()
			).id,
		);
		expect(await countRows("users", tenant.id)).toBe(0);
		expect(await countRows("enrollments", tenant.id)).toBe(0);
		expect(await countRows("notifications", tenant.id)).toBe(0);
		const real = await waitForJob(
			key,
			(await (await call("/v1/users/bulkImport", { method: "POST", key, json: body })).json<JobView>()).id,
		);
		expect(dry.counts).toEqual(real.counts);
		const report = async (j: JobView) => (await (await call(j.links.errors, { key })).text()).trim();
		expect(await report(dry)).toBe(await report(real));
		expect(await countRows("enrollments", tenant.id)).toBe(2);
	});

	it("imports a CSV served with Content-Encoding: gzip", async () => {
		const { key } = await withCatalog();
		const url = `${served(CSV_FILE)}&gzip=1`;
		const job = await (await call("/v1/users/bulkImport", { method: "POST", key, json: { url } })).json<JobView>();
		expect(await waitForJob(key, job.id)).toMatchObject({ status: "completed", counts: { total: 3, created: 2 } });
	});

	it("refuses unknown catalog ids, non-http schemes and private addresses before any job", async () => {
		const { key } = await withCatalog();
		const post = (json: object) => call("/v1/users/bulkImport", { method: "POST", key, json });
		const unknown = await post({
			url: "https://files.example.com/u.csv",
			courseIds: ["crs-a", "crs-zz"],
			licenseIds: ["lic-9"],
		});
		expect(unknown.status).toBe(400);
		expect((await unknown.json<{ error: { message: string } }>()).error.message).toBe(
			"Unknown catalog id(s): course crs-zz, license lic-9",
		);
		for (const url of [
			"http://10.0.0.1/users.csv",
			"http://[::ffff:a9fe:a9fe]/",
			"http://x.internal./",
			"file:///etc/passwd",
		]) {
			expect((await post({ url })).status, url).toBe(400);
		}
		expect((await (await call("/v1/jobs", { key })).json<{ data: unknown[] }>()).data).toEqual([]);
	});

	it("a file that cannot be fetched makes a failed job that says why in the service's own words", async () => {
		const { key } = await withCatalog();
		const cases = [
			[`http://127.0.0.1:${closedPort}/users.csv`, "Could not fetch the file: connection failed"],
			[served("missing", "text/plain", 404), "Could not fetch the file: HTTP 404"],
			[served("<html></html>", "text/html"), "Could not fetch the file: it is served as text/html, not CSV"],
			[
				`${origin}/redirect?to=${encodeURIComponent("http://192.168.0.10/users.csv")}`,
				"Could not fetch the file: redirected to a refused URL: 192.168.0.10 is not a public host (private-use)",
			],
		];
		for (const [url, message] of cases) {
			const res = await call("/v1/users/bulkImport", { method: "POST", key, json: { url } });
			expect(res.status).toBe(202);
			const job = await (await call((await res.json<JobView>()).links.self, { key })).json<JobView>();
			expect(job).toMatchObject({ status: "failed", errorMessage: message });
		}
	});

	it("credentials in URLs are used to fetch and never shown: not in the job, its webhook or the webhook view", async () => {
		const { key } = await withCatalog();
		const hook = `${origin}/hooks/redaction-${crypto.randomUUID()}`;
		const withSecrets = `${hook.replace("http://", "http://hook-user:hook-s3cret@")}?token=hook-s3cret`;
		await call("/v1/webhook", { method: "PUT", key, json: { url: withSecrets, secret: "s".repeat(20) } });
		const view = await (await call("/v1/webhook", { key })).json<{ url: string }>();
		expect(view.url).toBe(hook);

		const url = served(CSV_FILE).replace("http://", "http://alice:pa55word@").concat("&X-Amz-Signature=s3cret");
		const res = await call("/v1/users/bulkImport", { method: "POST", key, json: { url } });
		const job = await res.json<JobView & { description: string }>();
		expect(job.description).toBe(`Import of users from ${origin}/file`);
		expect((await waitForJob(key, job.id)).status).toBe("completed");
		const deliveries = await vi.waitUntil(
			async () => {
				const seen = await (await fetch(hook)).json<{ body: string; headers: Record<string, string> }[]>();
				return seen.length > 0 && seen;
			},
			{ timeout: 20_000, interval: 200 },
		);
		expect(deliveries[0]!.body).toContain(job.id);
		expect(deliveries[0]!.headers.authorization).toBe(`Basic ${btoa("hook-user:hook-s3cret")}`);
		for (const secret of ["alice", "pa55word", "s3cret"]) expect(deliveries[0]!.body).not.toContain(secret);
	});
});
