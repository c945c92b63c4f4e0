import { describe, expect, it } from "vitest";
import { call } from "../helpers";

describe("GET /v1/health", () => {
	it("answers without a key once D1 answers", async () => {
		const res = await call("/v1/health");
		expect(res.status).toBe(200);
		const body = await res.json<{ status: string; time: string }>();
		expect(body.status).toBe("ok");
		expect(Date.parse(body.time)).not.toBeNaN();
		expect(res.headers.get("X-RateLimit-Limit")).toBeNull();
	});
});
