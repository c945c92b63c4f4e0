import { describe, expect, it } from "vitest";
import { call, createKey, createTenant } from "../helpers";

async function cookieFor(role: "viewer" | "admin") {
	const { apiKey } = await createTenant();
	const { key } = await createKey(apiKey.key, role, `${role} of the dashboard`);
	const res = await call("/app/session", {
		method: "POST",
		body: new URLSearchParams({ key }),
		headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://cohort.test" },
		redirect: "manual",
	});
	return { Cookie: (res.headers.get("Set-Cookie") ?? "").split(";")[0]! };
}

const page = (path: string, headers: Record<string, string> = {}) => call(path, { headers, redirect: "manual" });

describe("dashboard pages", () => {
	it("send a visitor without a session to sign-in, remembering the page", async () => {
		const res = await page("/app/jobs/job_123?tab=errors");
		expect(res.status).toBe(303);
		expect(res.headers.get("Location")).toBe(`/app/sign-in?next=${encodeURIComponent("/app/jobs/job_123?tab=errors")}`);
		const signInPage = await page("/app/sign-in?next=/app/jobs");
		expect(signInPage.status).toBe(200);
		const html = await signInPage.text();
		expect(html).toContain('<label for="key">API key</label>');
		expect(html).toContain('action="/app/session"');
	});

	it("say a session ended when its cookie no longer works", async () => {
		const res = await page("/app/jobs", { Cookie: `cohort_session=ses_${"x".repeat(43)}` });
		expect(res.headers.get("Location")).toContain("ended=1");
		expect(await (await page(res.headers.get("Location")!)).text()).toContain("Your session has ended");
	});

	it("render for a session with a strict Content-Security-Policy and no caching", async () => {
		const headers = await cookieFor("admin");
		for (const path of ["/app/jobs", "/app/jobs/job_1", "/app/import", "/app/exports", "/app/users?q=u1"]) {
			const res = await page(path, headers);
			expect(res.status, path).toBe(200);
			expect(res.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
			expect(res.headers.get("Cache-Control")).toBe("no-store");
			expect(await res.text()).toContain("admin of the dashboard");
		}
	});

	it("offer a column mapping and a full sync with its threshold on the import page", async () => {
		const html = await (await page("/app/import", await cookieFor("admin"))).text();
		expect(html).toContain('<input id="mapping" name="mapping" list="mappings"');
		expect(html).toContain('id="full-sync"');
		expect(html).toContain('<label for="max-deactivate">');
	});

	it("show a viewer no write buttons and no import or export page", async () => {
		const viewer = await cookieFor("viewer");
		const job = await (await page("/app/jobs/job_1", viewer)).text();
		expect(job).not.toContain('id="cancel"');
		expect(job).not.toContain('id="retry"');
		expect(job).not.toContain('id="commit"');
		expect(job).not.toContain('id="undo"');
		expect(job).toContain('id="changes"');
		expect(job).not.toContain('href="/app/import"');
		expect(job).not.toContain('href="/app/exports"');
		for (const path of ["/app/import", "/app/exports"]) {
			expect((await page(path, viewer)).headers.get("Location"), path).toBe("/app/jobs");
		}

		const admin = await (await page("/app/jobs/job_1", await cookieFor("admin"))).text();
		expect(admin).toContain('id="cancel"');
		expect(admin).toContain('id="retry"');
		expect(admin).toContain('id="commit"');
		expect(admin).toContain('id="undo"');
		expect(admin).toContain('href="/app/import"');
		expect(admin).toContain('href="/app/exports"');
	});

	it("escape what comes from the URL", async () => {
		const headers = await cookieFor("viewer");
		const html = await (
			await page(`/app/users?q=${encodeURIComponent('"><script>alert(1)</script>')}`, headers)
		).text();
		expect(html).not.toContain("<script>alert(1)</script>");
		expect(html).toContain("&quot;&gt;&lt;script&gt;");
	});
});

describe("dashboard files", () => {
	it("are served by the Worker itself, uPlot included, and revalidate with an ETag", async () => {
		const js = await page("/app/static/uplot.js");
		expect(js.status).toBe(200);
		expect(js.headers.get("Content-Type")).toBe("text/javascript; charset=utf-8");
		expect(await js.text()).toContain("uPlot");
		const again = await page("/app/static/uplot.js", { "If-None-Match": js.headers.get("ETag")! });
		expect(again.status).toBe(304);
		expect((await page("/app/static/app.css")).headers.get("Content-Type")).toBe("text/css; charset=utf-8");
		for (const name of ["api.js", "change.js", "exports.js"])
			expect((await page(`/app/static/${name}`)).status, name).toBe(200);
		expect((await page("/app/static/nothing.js")).status).toBe(404);
	});
});
