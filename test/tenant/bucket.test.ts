import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { takeToken } from "../../src/tenant/bucket";
import { call, createTenant, OPERATOR_KEY } from "../helpers";

const stubFor = (tenantId: string) => env.TENANT.get(env.TENANT.idFromName(tenantId));

describe("token bucket", () => {
	it("allows the burst, then refuses with the wait until one token refills", () => {
		let state: ReturnType<typeof takeToken>["state"] | undefined;
		const limits = { burst: 3, requestsPerMinute: 60 };
		const t0 = 1_700_000_000_000;
		const remaining = [];
		for (let i = 0; i < 3; i++) {
			const r = takeToken(state, limits, t0);
			state = r.state;
			remaining.push(r.decision.remaining);
		}
		expect(remaining).toEqual([2, 1, 0]);
		const refused = takeToken(state, limits, t0 + 400);
		expect(refused.decision).toMatchObject({ allowed: false, remaining: 0, retryAfter: 1 });
		expect(takeToken(refused.state, limits, t0 + 1000).decision.allowed).toBe(true);
		expect(takeToken(state, limits, t0 + 60_000).decision).toMatchObject({ allowed: true, remaining: 2 });
	});

	it("reports reset as the unix second when the bucket is full again", () => {
		const { decision } = takeToken(undefined, { burst: 100, requestsPerMinute: 100 }, 1_700_000_000_000);
		expect(decision.reset).toBe(1_700_000_000 + 1);
	});
});

describe("rate limits over HTTP", () => {
	it("the 101st request in a minute gets 429 with Retry-After, and the headers count down under concurrency", async () => {
		// Default burst; the refill is slowed so the count cannot depend on how fast this machine is.
		const { apiKey } = await createTenant("Busy", { requestsPerMinute: 1 });
		const responses = await Promise.all(Array.from({ length: 101 }, () => call("/v1/api-keys", { key: apiKey.key })));
		const ok = responses.filter((r) => r.status === 200);
		const limited = responses.filter((r) => r.status === 429);
		expect(ok).toHaveLength(100);
		expect(limited).toHaveLength(1);
		const remaining = ok.map((r) => Number(r.headers.get("X-RateLimit-Remaining"))).sort((a, b) => a - b);
		expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => i));
		for (const r of responses) expect(r.headers.get("X-RateLimit-Limit")).toBe("100");
		const [tooMany] = limited;
		expect(Number(tooMany!.headers.get("Retry-After"))).toBeGreaterThan(50);
		expect(Number(tooMany!.headers.get("X-RateLimit-Reset"))).toBeGreaterThan(Date.now() / 1000);
		const body = await tooMany!.json<{ error: { code: string } }>();
		expect(body.error.code).toBe("RATE_LIMITED");
	});

	it("per-tenant overrides apply at creation and through PATCH, and one tenant's bucket is not another's", async () => {
		const small = await createTenant("Small", { burst: 2, requestsPerMinute: 1 });
		const other = await createTenant("Other");
		const statuses = [];
		for (let i = 0; i < 3; i++) statuses.push((await call("/v1/api-keys", { key: small.apiKey.key })).status);
		expect(statuses).toEqual([200, 200, 429]);
		expect((await call("/v1/api-keys", { key: other.apiKey.key })).headers.get("X-RateLimit-Remaining")).toBe("99");

		const patch = await call(`/v1/tenants/${small.tenant.id}`, {
			method: "PATCH",
			key: OPERATOR_KEY,
			json: { limits: { requestsPerMinute: 600_000, burst: 5 } },
		});
		expect(patch.status).toBe(200);
		expect((await patch.json<{ limits: object }>()).limits).toEqual({ burst: 5, requestsPerMinute: 600_000 });
		const after = await call("/v1/api-keys", { key: small.apiKey.key });
		expect(after.status).toBe(200);
		expect(after.headers.get("X-RateLimit-Limit")).toBe("5");
	});

	it("a bucket near its limit survives the tenant object's eviction exactly", async () => {
		// A slow refill, so the count cannot depend on how fast this machine is. Below half of its
		// burst the bucket is written on every take (src/tenant/bucket.ts).
		const limits = { requestsPerMinute: 1, burst: 16 };
		const { tenant, apiKey } = await createTenant("Evicted", limits);
		for (let i = 0; i < 10; i++) await call("/v1/api-keys", { key: apiKey.key });
		const stub = stubFor(tenant.id);
		await evictDurableObject(stub);
		const res = await call("/v1/api-keys", { key: apiKey.key });
		expect(Number(res.headers.get("X-RateLimit-Remaining"))).toBe(5);
		await evictDurableObject(stub);
		expect((await stub.takeRequestToken(limits)).remaining).toBe(4);
	});

	it("a bucket above half its burst forgets at most the last second's takes on eviction", async () => {
		const limits = { requestsPerMinute: 1, burst: 100 };
		const { tenant, apiKey } = await createTenant("Roomy", limits);
		for (let i = 0; i < 10; i++) await call("/v1/api-keys", { key: apiKey.key });
		const stub = stubFor(tenant.id);
		await evictDurableObject(stub);
		// The first take was written; the other nine were written only if a second passed between them.
		const remaining = Number((await call("/v1/api-keys", { key: apiKey.key })).headers.get("X-RateLimit-Remaining"));
		expect(remaining).toBeGreaterThanOrEqual(89);
		expect(remaining).toBeLessThanOrEqual(98);
	});

	it("lowering the burst caps the tokens held, in memory and in storage", async () => {
		const { tenant, apiKey } = await createTenant("Capped", { requestsPerMinute: 1, burst: 100 });
		await call("/v1/api-keys", { key: apiKey.key });
		const patch = await call(`/v1/tenants/${tenant.id}`, {
			method: "PATCH",
			key: OPERATOR_KEY,
			json: { limits: { burst: 3 } },
		});
		expect(patch.status).toBe(200);
		expect((await call("/v1/api-keys", { key: apiKey.key })).headers.get("X-RateLimit-Remaining")).toBe("2");
		// The cap was stored (3 tokens); the take after it, above half the burst within a second, may not be.
		await evictDurableObject(stubFor(tenant.id));
		const remaining = Number((await call("/v1/api-keys", { key: apiKey.key })).headers.get("X-RateLimit-Remaining"));
		expect([1, 2]).toContain(remaining);
	});
});
