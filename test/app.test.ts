import { exports } from "cloudflare:workers";
import { hc } from "hono/client";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { AppType } from "../src/app";
import { OPERATOR_KEY } from "./helpers";

/** The typed client a program gets from `hc<AppType>`, sending its requests into the Worker. */
const client = hc<AppType>("https://cohort.test", {
	fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(input, init)),
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
