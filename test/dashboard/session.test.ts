import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createKey, createTenant } from "../helpers";

const ORIGIN = "https://cohort.test";

/** Posts the sign-in form as a browser on this site would. */
function signIn(key: string, { origin = ORIGIN, next }: { origin?: string | null; next?: string } = {}) {
	const form = new URLSearchParams({ key, ...(next ? { next } : {}) });
	return call("/app/session", {
		method: "POST",
		body: form,
		headers: { "Content-Type": "application/x-www-form-urlencoded", ...(origin ? { Origin: origin } : {}) },
		redirect: "manual",
	});
}

/** The `name=value` pair a browser would send back. */
function cookieOf(res: Response): string {
	const header = res.headers.get("Set-Cookie") ?? "";
	return header.split(";")[0]!;
}

async function session(role: "viewer" | "admin" = "admin") {
	const { apiKey, tenant } = await createTenant();
	const key =
		role === "admin" ? (await createKey(apiKey.key, "admin")).key : (await createKey(apiKey.key, "viewer")).key;
	const res = await signIn(key);
	return { cookie: cookieOf(res), key, superKey: apiKey.key, tenant };
}

const oneUser = { users: [{ externalId: "u1", email: "u1@example.com" }] };

describe("the session exchange", () => {
	it("turns a pasted key into an HttpOnly, Secure, SameSite=Strict cookie of 12 hours and lands on the jobs page", async () => {
		const { apiKey } = await createTenant();
		const res = await signIn(apiKey.key);
		expect(res.status).toBe(303);
		expect(res.headers.get("Location")).toBe("/app/jobs");
		const cookie = res.headers.get("Set-Cookie")!;
		expect(cookie).toMatch(/^cohort_session=ses_[\w-]{43};/);
		expect(cookie).toContain("Max-Age=43200");
		expect(cookie).toContain("Path=/");
		expect(cookie).toContain("HttpOnly");
		expect(cookie).toContain("Secure");
		expect(cookie).toContain("SameSite=Strict");
		expect(cookie).not.toContain(apiKey.key);
	});

	it("stores only a hash of the session token, expiring 12 hours after sign-in", async () => {
		const { apiKey } = await createTenant();
		const before = Date.now();
		const token = cookieOf(await signIn(apiKey.key)).split("=")[1]!;
		const rows = await env.DB.prepare("SELECT * FROM sessions WHERE key_id = ?").bind(apiKey.id).all();
		expect(rows.results).toHaveLength(1);
		const row = rows.results[0] as { token_hash: string; expires_at: string };
		expect(JSON.stringify(row)).not.toContain(token);
		expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
		const hours = (Date.parse(row.expires_at) - before) / 3_600_000;
		expect(hours).toBeGreaterThan(11.99);
		expect(hours).toBeLessThan(12.01);
	});

	it("refuses an unknown, malformed or revoked key with the form again and no cookie", async () => {
		const { apiKey } = await createTenant();
		const admin = await createKey(apiKey.key, "admin");
		await call(`/v1/api-keys/${admin.id}`, { method: "DELETE", key: apiKey.key });
		const tampered = `${apiKey.key.slice(0, -1)}${apiKey.key.endsWith("A") ? "B" : "A"}`;
		for (const key of [tampered, "not a key", admin.key]) {
			const res = await signIn(key);
			expect(res.status).toBe(401);
			expect(res.headers.get("WWW-Authenticate")).toContain('Bearer realm="cohort"');
			expect(res.headers.get("Set-Cookie")).toBeNull();
			expect(await res.text()).toContain("unknown or revoked");
		}
	});

	it("refuses a sign-in form posted from another origin, or without Origin", async () => {
		const { apiKey } = await createTenant();
		for (const origin of ["https://evil.example", null]) {
			const res = await signIn(apiKey.key, { origin });
			expect(res.status).toBe(403);
			expect(res.headers.get("Set-Cookie")).toBeNull();
		}
	});

	it("returns to the page asked for, but never off the dashboard", async () => {
		const { apiKey } = await createTenant();
		expect((await signIn(apiKey.key, { next: "/app/jobs/job_1?x=1" })).headers.get("Location")).toBe(
			"/app/jobs/job_1?x=1",
		);
		for (const next of ["//evil.example/app/", "https://evil.example", "/v1/jobs", "/app/\\evil"]) {
			expect((await signIn(apiKey.key, { next })).headers.get("Location")).toBe("/app/jobs");
		}
	});

	it("sign-out ends the session: the cookie is cleared and the old one no longer works", async () => {
		const { cookie } = await session();
		const res = await call("/app/sign-out", {
			method: "POST",
			headers: { Cookie: cookie, Origin: ORIGIN },
			redirect: "manual",
		});
		expect(res.status).toBe(303);
		expect(res.headers.get("Location")).toBe("/app/sign-in");
		expect(res.headers.get("Set-Cookie")).toMatch(/^cohort_session=;.*Max-Age=0/);
		expect((await call("/v1/jobs", { headers: { Cookie: cookie } })).status).toBe(401);
	});
});

describe("the API with the session cookie", () => {
	it("reads as the key, with the rate-limit headers of its tenant", async () => {
		const { cookie } = await session("viewer");
		const res = await call("/v1/jobs", { headers: { Cookie: cookie } });
		expect(res.status).toBe(200);
		expect(res.headers.get("X-RateLimit-Remaining")).not.toBeNull();
	});

	it("writes only with this origin's Origin header", async () => {
		const { cookie } = await session("admin");
		const write = (origin?: string) =>
			call("/v1/users/bulk", {
				method: "POST",
				json: oneUser,
				headers: { Cookie: cookie, ...(origin ? { Origin: origin } : {}) },
			});
		for (const res of [await write(), await write("https://evil.example"), await write("http://cohort.test")]) {
			expect(res.status).toBe(403);
			expect((await res.json<{ error: { code: string } }>()).error.code).toBe("FORBIDDEN");
		}
		const ok = await write(ORIGIN);
		expect(ok.status).toBe(200);
		expect(await ok.json()).toMatchObject({ created: 1 });
	});

	it("carries the key's role: a viewer's session cannot write", async () => {
		const { cookie } = await session("viewer");
		const res = await call("/v1/users/bulk", {
			method: "POST",
			json: oneUser,
			headers: { Cookie: cookie, Origin: ORIGIN },
		});
		expect(res.status).toBe(403);
		expect((await res.json<{ error: { message: string } }>()).error.message).toContain("viewer");
	});

	it("ends with its key: a revoked key's session answers 401", async () => {
		const { apiKey } = await createTenant();
		const admin = await createKey(apiKey.key, "admin");
		const cookie = cookieOf(await signIn(admin.key));
		expect((await call("/v1/jobs", { headers: { Cookie: cookie } })).status).toBe(200);
		await call(`/v1/api-keys/${admin.id}`, { method: "DELETE", key: apiKey.key });
		expect((await call("/v1/jobs", { headers: { Cookie: cookie } })).status).toBe(401);
	});

	it("ends after 12 hours", async () => {
		const { cookie, key } = await session();
		const keyId = key.slice(3, key.indexOf("."));
		await env.DB.prepare("UPDATE sessions SET expires_at = ? WHERE key_id = ?")
			.bind(new Date(Date.now() - 1000).toISOString(), keyId)
			.run();
		expect((await call("/v1/jobs", { headers: { Cookie: cookie } })).status).toBe(401);
	});

	it("an unknown session token is a 401, and an Authorization header wins over the cookie", async () => {
		expect((await call("/v1/jobs", { headers: { Cookie: `cohort_session=ses_${"x".repeat(43)}` } })).status).toBe(401);
		const viewer = await session("viewer");
		const admin = await createKey(viewer.superKey, "admin");
		const res = await call("/v1/users/bulk", {
			method: "POST",
			json: oneUser,
			key: admin.key,
			headers: { Cookie: viewer.cookie },
		});
		expect(res.status).toBe(200);
	});
});
