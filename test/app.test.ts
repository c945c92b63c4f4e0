import { hc } from "hono/client";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { AppType } from "../src/app";
import { call, checkedFetch, OPERATOR_KEY } from "./helpers";

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

	it("unknown routes are 404 envelopes and every response has a request id", async () => {
		const res = await call("/v1/nothing-here");
		expect(res.status).toBe(404);
		expect((await res.json<Envelope>()).error.code).toBe("NOT_FOUND");
		expect(res.headers.get("X-Request-Id")).toMatch(/^[\w-]{8,}$/);
		expect((await call("/v1/health")).headers.get("X-Request-Id")).toBeTruthy();
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
