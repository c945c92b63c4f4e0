import { describe, expect, it } from "vitest";
import { call } from "../helpers";

describe("/docs", () => {
	it("renders the reference from /openapi.json with assets served by Cohort itself, no third-party origin", async () => {
		const page = await call("/docs");
		expect(page.status).toBe(200);
		expect(page.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
		const html = await page.text();
		expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
		const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
		expect(assets).toEqual(["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/init.js"]);
		const [css, bundle, init] = await Promise.all(assets.map((path) => call(path)));
		expect(css!.headers.get("Content-Type")).toContain("text/css");
		expect(bundle!.headers.get("Content-Type")).toContain("text/javascript");
		expect(await bundle!.text()).toContain("SwaggerUIBundle");
		expect(await init!.text()).toContain('url: "/openapi.json"');
		expect((await call("/docs/nothing.js")).status).toBe(404);
	});
});
