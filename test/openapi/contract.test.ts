import { describe, expect, it } from "vitest";
import { assertDocumented } from "./contract";

const request = (method: string, path: string) => new Request(`https://cohort.test${path}`, { method });
const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
	Response.json(body, { status, headers: { "X-Request-Id": "req-1", ...headers } });
const limits = { "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "99", "X-RateLimit-Reset": "1764091200" };

/** The check every `call` makes, shown failing on answers the document does not describe. */
describe("the contract check", () => {
	it("passes an answer the document describes", async () => {
		const health = json({ status: "ok", time: "2026-11-25T00:00:00.000Z" }, 200);
		await expect(assertDocumented(request("GET", "/v1/health"), health)).resolves.toBeUndefined();
	});

	it("names the operation and status of an undeclared status", async () => {
		await expect(assertDocumented(request("GET", "/v1/health"), json({}, 418))).rejects.toThrow(
			"getHealth answered 418, which the document does not declare",
		);
	});

	it("names the schema error of a body that does not match", async () => {
		const job = json({ id: "job_1", status: "finished" }, 200, limits);
		await expect(assertDocumented(request("GET", "/v1/jobs/job_1"), job)).rejects.toThrow(/getJob answered 200: .*/);
	});

	it("refuses a missing required header and an undeclared content type", async () => {
		const page = { data: [], nextCursor: null };
		await expect(assertDocumented(request("GET", "/v1/jobs"), json(page, 200))).rejects.toThrow(
			"listJobs answered 200 without X-RateLimit-Limit",
		);
		const csv = new Response("line,code\r\n", {
			headers: { "Content-Type": "text/plain", "X-Request-Id": "r", ...limits },
		});
		await expect(assertDocumented(request("GET", "/v1/jobs/job_1/errors"), csv)).rejects.toThrow(
			"getJobErrors answered 200 as text/plain, not application/x-ndjson or text/csv",
		);
	});

	it("checks every NDJSON line, and errors outside any operation against the envelope", async () => {
		const ndjson = new Response('{"line":2,"code":"VALIDATION_ERROR","error":"x"}\n{"line":3}\n', {
			headers: { "Content-Type": "application/x-ndjson", "X-Request-Id": "r", ...limits },
		});
		await expect(assertDocumented(request("GET", "/v1/jobs/job_1/errors"), ndjson)).rejects.toThrow(
			"getJobErrors answered 200, line 2",
		);
		await expect(assertDocumented(request("GET", "/v1/nowhere"), json({ message: "no" }, 404))).rejects.toThrow(
			"GET /v1/nowhere answered 404 outside the envelope",
		);
	});
});
