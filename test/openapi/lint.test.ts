import { describe, expect, inject, it } from "vitest";
import { app } from "../../src/app";
import { call } from "../helpers";
import { type OpenApiDocument, served } from "./contract";

type Problem = { ruleId: string; severity: "error" | "warn"; message: string; location: { pointer: string }[] };

describe("/openapi.json", () => {
	it("lints clean with Redocly's recommended rules: no errors, and only the warning redocly.yaml justifies", async () => {
		const document = await (await call("/openapi.json")).text();
		const res = await fetch(inject("redocly"), { method: "POST", body: document });
		expect(res.status, await res.clone().text()).toBe(200);
		const report = await res.json<{ totals: { errors: number; warnings: number }; problems: Problem[] }>();
		const problems = report.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
		expect(problems).toEqual([
			"warn operation-4xx-response #/paths/~1v1~1health/get/responses: Operation must have at least one `4XX` response.",
		]);
	});

	it("documents every route the app serves, and serves every route it documents", async () => {
		// The dashboard and the documentation itself are pages, not API operations.
		const pages = /^\/(app|docs|openapi\.json)(\/|$)/;
		const servedRoutes = new Set(
			app.routes
				.filter((r) => r.method !== "ALL" && !pages.test(r.path))
				.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
		);
		const { doc } = await served();
		const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
			Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
		);
		expect([...servedRoutes].sort()).toEqual(documented.sort());
	});

	it("names this deployment as its server", async () => {
		const doc = await (await call("/openapi.json")).json<OpenApiDocument>();
		expect(doc.servers).toEqual([{ url: "https://cohort.test", description: "This deployment" }]);
	});
});
