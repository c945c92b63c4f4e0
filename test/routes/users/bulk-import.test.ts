import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { assertFetchable } from "../../../src/notify/url-guard";
import { call, countRows, createTenant, type JobView, waitForJob } from "../../helpers";

const CSV_FILE = [
	"email,first_name,last_name,user_id",
	"ann@example.com,Ann,Lee,emp-1",
	"bob@example.com,Bob,Ray,emp-2",
	"not-an-email,Cy,Ng,emp-3",
].join("\n");

type Served = { body: string; type: string } | "unreachable";

/** Serves files at https://files.example.com/<name>; anything else goes to the real fetch. */
function serve(files: Record<string, Served>) {
	const realFetch = globalThis.fetch;
	vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
		const url = new URL(String(input instanceof Request ? input.url : input));
		if (url.hostname !== "files.example.com") return realFetch(input, init);
		const file = files[url.pathname.slice(1)];
		if (file === "unreachable") throw new TypeError("connection refused");
		// Made per call: a response belongs to the request context that created it.
		return file
			? new Response(file.body, { headers: { "Content-Type": file.type } })
			: new Response("missing", { status: 404, statusText: "Not Found" });
	});
}

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

const csv = (body: string): Served => ({ body, type: "text/csv" });

afterEach(() => vi.restoreAllMocks());

describe("POST /v1/users/bulkImport", () => {
	it("imports the CSV at the URL and enrolls every user in every listed item, with role, client and invite", async () => {
		const { tenant, key } = await withCatalog();
		serve({ "users.csv": csv(CSV_FILE) });
		const res = await call("/incoming/v2/users/bulkImport", {
			method: "POST",
			key,
			json: {
				url: "https://files.example.com/users.csv",
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
		const invites = await env.DB.prepare("SELECT invite_message AS m FROM notifications WHERE tenant_id = ?")
			.bind(tenant.id)
			.all<{ m: string }>();
		expect(invites.results.map((r) => r.m)).toEqual(["Welcome to the academy", "Welcome to the academy"]);
	});

	it("dryRun leaves D1 unchanged and reports the same errors as the real run", async () => {
		const { tenant, key } = await withCatalog();
		serve({ "users.csv": csv(CSV_FILE) });
		const body = { url: "https://files.example.com/users.csv", courseIds: ["crs-a"] };
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
		expect((await post({ url: "http://127.0.0.1:8080/users.csv" })).status).toBe(400);
		expect((await post({ url: "file:///etc/passwd" })).status).toBe(400);
		expect((await (await call("/v1/jobs", { key })).json<{ data: unknown[] }>()).data).toEqual([]);
		expect(() =>
			assertFetchable("http://127.0.0.1:8080/users.csv", { ...env, ALLOW_PRIVATE_IMPORT_URLS: "1" }),
		).not.toThrow();
	});

	it("an unreachable URL, a non-2xx answer or a non-CSV answer make a failed job that says which", async () => {
		const { key } = await withCatalog();
		serve({
			"down.csv": "unreachable",
			"page.html": { body: "<html></html>", type: "text/html" },
		});
		const cases = [
			["down.csv", "Could not reach https://files.example.com/down.csv: connection refused"],
			["gone.csv", "https://files.example.com/gone.csv answered 404 Not Found"],
			["page.html", "https://files.example.com/page.html answered with Content-Type text/html, not CSV"],
		];
		for (const [file, message] of cases) {
			const res = await call("/v1/users/bulkImport", {
				method: "POST",
				key,
				json: { url: `https://files.example.com/${file}` },
			});
			expect(res.status).toBe(202);
			const job = await (await call((await res.json<JobView>()).links.self, { key })).json<JobView>();
			expect(job).toMatchObject({ status: "failed", errorMessage: message });
		}
	});
});
