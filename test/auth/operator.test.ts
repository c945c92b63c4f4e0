import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { operatorGate } from "../../src/auth/operator-gate";
import { call, OPERATOR_KEY } from "../helpers";

const createTenant = (key: string, client: string) =>
	call("/v1/tenants", { method: "POST", key, json: { name: "Acme" }, headers: { "CF-Connecting-IP": client } });

describe("the operator key", () => {
	it("shorter than 32 characters switches the operator routes off with a 503 saying so", async () => {
		for (const weak of ["a", "x".repeat(31), ""]) {
			const request = new Request("https://cohort.test/v1/tenants", {
				method: "POST",
				headers: { Authorization: `Bearer ${weak || "x"}`, "Content-Type": "application/json" },
				body: JSON.stringify({ name: "Acme" }),
			});
			const res = await app.fetch(request, { ...env, ADMIN_API_KEY: weak }, createExecutionContext());
			expect(res.status).toBe(503);
			const { error } = await res.json<{ error: { code: string; message: string } }>();
			expect(error).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
			expect(error.message).toContain("ADMIN_API_KEY must be set to at least 32 characters");
		}
	});

	it("failed attempts are throttled per client: 429 with Retry-After, while other clients go on", async () => {
		const statuses: number[] = [];
		let throttled: Response | undefined;
		while (!throttled && statuses.length < 15) {
			const res = await createTenant(`wrong-guess-${statuses.length}`, "203.0.113.7");
			statuses.push(res.status);
			if (res.status === 429) throttled = res;
		}
		expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
		expect(Number(throttled?.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
		expect((await createTenant(OPERATOR_KEY, "198.51.100.4")).status).toBe(201);
	});

	it("an empty bucket refuses the right key too, before comparing it, until a token is back", async () => {
		const gate = operatorGate(env, "client-a");
		const t0 = Date.parse("2026-11-25T10:00:00Z");
		for (let i = 0; i < 10; i++) expect(await gate.attempt(`guess-${i}`, t0)).toEqual({ ok: false });
		expect(await gate.attempt(OPERATOR_KEY, t0)).toEqual({ ok: false, retryAfter: 12 });
		expect(await gate.attempt(OPERATOR_KEY, t0 + 12_000)).toEqual({ ok: true });
		expect(await gate.attempt(OPERATOR_KEY, t0 + 12_000)).toEqual({ ok: true });
		expect(await gate.attempt("guess", t0 + 12_000)).toEqual({ ok: false });
		expect(await gate.attempt(OPERATOR_KEY, t0 + 12_000)).toEqual({ ok: false, retryAfter: 12 });
	});

	it("the right key costs nothing: a client can make many operator calls after a few wrong ones", async () => {
		for (let i = 0; i < 3; i++) expect((await createTenant("wrong", "192.0.2.44")).status).toBe(401);
		for (let i = 0; i < 12; i++) expect((await createTenant(OPERATOR_KEY, "192.0.2.44")).status).toBe(201);
	});
});
