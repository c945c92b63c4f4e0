import { hc } from "hono/client";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { AppType } from "../src/app";
import { call, checkedFetch, createTenant, type JobView, OPERATOR_KEY, waitForJob } from "./helpers";

type Envelope = {
	error: { code: string; message: string; requestId: string; details?: { path: string; message: string }[] };
};

describe("one error envelope", () => {
	it("malformed JSON is a 400 VALIDATION_ERROR envelope", async () => {
		const res = await call("/v1/tenants", {
			method: "POST",
			headers: { Authorization: `Bearer ${OPERATOR_KEY}`, "Content-Type": "application/json" },
			body: '{"name": "Acme",',
		});
		expect(res.status).toBe(400);
		const body = await res.json<Envelope>();
		expect(body.error.code).toBe("VALIDATION_ERROR");
		expect(body.error.requestId).toBe(res.headers.get("X-Request-Id"));
	});

	it("a wrong content type is 415", async () => {
		const res = await call("/v1/tenants", {
			method: "POST",
			headers: { Authorization: `Bearer ${OPERATOR_KEY}`, "Content-Type": "text/plain" },
			body: JSON.stringify({ name: "Acme" }),
		});
		expect(res.status).toBe(415);
		expect((await res.json<Envelope>()).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
	});

	it("schema failures name the path, and unknown fields are rejected", async () => {
		const res = await call("/v1/tenants", {
			method: "POST",
			key: OPERATOR_KEY,
			json: { name: "", limits: { burst: "lots" }, color: "red" },
		});
		expect(res.status).toBe(400);
		const body = await res.json<Envelope>();
		const paths = body.error.details!.map((d) => d.path);
		expect(paths).toEqual(expect.arrayContaining(["name", "limits.burst"]));
		expect(JSON.stringify(body.error.details)).toContain("color");
	});

	it("a schema failure of JSON that parsed names the problem and the field, not the parser", async () => {
		const { apiKey } = await createTenant();
		const bad = async (path: string, json?: unknown) =>
			(await (await call(path, { method: json ? "POST" : "GET", key: apiKey.key, json })).json<Envelope>()).error;
		const upsert = await bad("/v1/users/bulk", { users: [{ externalId: "a" }], options: { upsert: "yes" } });
		expect(upsert.message).toBe(
			'Invalid body field "options.upsert": Invalid input: expected boolean, received string',
		);
		expect(upsert.details).toEqual([{ path: "options.upsert", message: expect.any(String) }]);
		const unknown = await bad("/v1/users/bulk", { users: [{ externalId: "a" }], colour: "red", size: 1 });
		expect(unknown.message).toBe('Unknown body field "colour", "size"');
		expect(unknown.details).toEqual([
			{ path: "colour", message: "Unknown field" },
			{ path: "size", message: "Unknown field" },
		]);
		const limit = await bad("/v1/jobs?limit=0&status=stuck");
		expect(limit.message).toMatch(/^Invalid query parameter "(limit|status)": .+ \(and 1 more in details\)$/);
	});

	it("unknown routes are 404 envelopes and every response has a request id", async () => {
		const res = await call("/v1/nothing-here");
		expect(res.status).toBe(404);
		expect((await res.json<Envelope>()).error.code).toBe("NOT_FOUND");
		expect(res.headers.get("X-Request-Id")).toMatch(/^[\w-]{8,}$/);
		expect((await call("/v1/health")).headers.get("X-Request-Id")).toBeTruthy();
	});
});

type Document = { paths: Record<string, Record<string, { security?: { apiKey?: string[] }[] }>> };
const fill = (path: string, id = "x") => path.replace(/\{\w+\}/g, id);

describe("methods", () => {
	it("a wrong method on a known path is 405 with Allow, seed paths included; unknown paths stay 404", async () => {
		const expectAllow = async (method: string, path: string, allow: string) => {
			const res = await call(path, { method });
			expect(res.status, `${method} ${path}`).toBe(405);
			expect(res.headers.get("Allow"), `${method} ${path}`).toBe(allow);
			expect((await res.json<Envelope>()).error.code).toBe("METHOD_NOT_ALLOWED");
		};
		await expectAllow("DELETE", "/v1/jobs", "GET, HEAD");
		await expectAllow("GET", "/v1/jobs/job_1/retry", "POST");
		await expectAllow("PUT", "/incoming/v2/users/bulk", "POST");
		// GET is served here by GET /v1/users/{externalId}.
		await expectAllow("DELETE", "/v1/users/bulk_identify", "GET, HEAD, POST");
		await expectAllow("POST", "/v1/webhook", "DELETE, GET, HEAD, PUT");
		await expectAllow("PATCH", "/v1/bulk/jobs/j1", "GET, HEAD");

		const doc = await (await call("/openapi.json")).json<Document>();
		for (const [path, operations] of Object.entries(doc.paths)) {
			const res = await call(fill(path), { method: "OPTIONS" });
			expect(res.status, path).toBe(405);
			const allow = res.headers.get("Allow")!.split(", ");
			expect(allow, path).toEqual(expect.arrayContaining(Object.keys(operations).map((m) => m.toUpperCase())));
		}
		expect((await call("/v1/nothing-here", { method: "DELETE" })).status).toBe(404);
	});
});

describe("headers", () => {
	it("every tenant GET answers with X-Request-Id and the rate-limit headers, streamed ones included", async () => {
		const { apiKey } = await createTenant("Headers", { burst: 1000, requestsPerMinute: 1000 });
		const key = apiKey.key;
		const started = await call("/v1/users/bulk?mode=async", {
			method: "POST",
			key,
			json: { users: [{ externalId: "h1" }, { externalId: "h2", email: "nope" }] },
		});
		const job = await waitForJob(key, (await started.json<JobView>()).id);
		expect(job.counts.failed).toBe(1);

		const doc = await (await call("/openapi.json")).json<Document>();
		const gets = Object.entries(doc.paths).flatMap(([path, operations]) =>
			operations.get?.security?.some((s) => s.apiKey) ? [fill(path, path.startsWith("/v1/jobs/") ? job.id : "x")] : [],
		);
		const streamed = [`/v1/jobs/${job.id}/errors`, `/v1/jobs/${job.id}/events`];
		expect(gets).toEqual(expect.arrayContaining(streamed));
		for (const [path, accept] of [...gets.map((p) => [p, "*/*"]), [streamed[0]!, "text/csv"]] as const) {
			const res = await call(path, { key, headers: { Accept: accept } });
			await res.arrayBuffer();
			for (const header of ["X-Request-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]) {
				expect(res.headers.get(header), `${header} on ${path} (${res.status}, ${accept})`).toMatch(/^[\w-]+$/);
			}
		}
	});
});

/** The typed client a program gets from `hc<AppType>`, sending its requests into the Worker. */
const client = hc<AppType>("https://cohort.test", {
	fetch: (input: RequestInfo | URL, init?: RequestInit) => checkedFetch(new Request(input, init)),
});

describe("the typed client", () => {
	it("knows every route's path, body and JSON answer", async () => {
		const operator = { headers: { Authorization: `Bearer ${OPERATOR_KEY}` } };
		const created = await client.v1.tenants.$post({ json: { name: "Typed" } }, operator);
		if (created.status !== 201) throw new Error(`tenant creation answered ${created.status}`);
		const { apiKey } = await created.json();
		expectTypeOf(apiKey.key).toEqualTypeOf<string>();
		const auth = { headers: { Authorization: `Bearer ${apiKey.key}` } };

		const bulk = await client.v1.users.bulk.$post({ json: { users: [{ externalId: "t1" }] }, query: {} }, auth);
		if (bulk.status !== 200) throw new Error(`bulk answered ${bulk.status}`);
		const result = await bulk.json();
		expectTypeOf(result.created).toEqualTypeOf<number>();
		expect(result).toMatchObject({ successful: 1, created: 1 });

		const user = await client.v1.users[":externalId"].$get({ param: { externalId: "t1" } }, auth);
		if (user.status !== 200) throw new Error(`user read answered ${user.status}`);
		const body = await user.json();
		expectTypeOf(body.externalId).toEqualTypeOf<string | null>();
		expect(body.externalId).toBe("t1");

		const missing = await client.v1.jobs[":id"].$get({ param: { id: "job_none" } }, auth);
		expect(missing.status).toBe(404);
		if (missing.status === 404) expect((await missing.json()).error.code).toBe("NOT_FOUND");
	});
});
