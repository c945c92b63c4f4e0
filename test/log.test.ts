import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createTenant, type JobView, OPERATOR_KEY, waitForJob } from "./helpers";

type Line = {
	event: string;
	requestId: string;
	tenant: string | null;
	method: string;
	route: string;
	status: number;
	durationMs: number;
};

/** The request lines logged while `work` runs, read through the console as Workers Logs would. */
async function requestLines(
	work: () => Promise<Response[]>,
): Promise<{ lines: Line[]; printed: string; responses: Response[] }> {
	const log = vi.spyOn(console, "log");
	const responses = await work();
	const printed = log.mock.calls.map((args) => args.join(" ")).join("\n");
	const lines = log.mock.calls
		.map((args) => String(args[0]))
		.filter((text) => text.startsWith("{"))
		.map((text) => JSON.parse(text) as Line)
		.filter((line) => line.event === "request");
	return { lines, printed, responses };
}

afterEach(() => vi.restoreAllMocks());

describe("request logs", () => {
	it("one JSON line per request with its id, tenant, route pattern, status and duration", async () => {
		const { tenant, apiKey } = await createTenant();
		const { lines, responses } = await requestLines(async () => [
			await call("/v1/users/emp-secret-id", { key: apiKey.key }),
			await call("/v1/jobs?limit=5", { key: apiKey.key }),
			await call("/v1/jobs", { key: "ck_key_wrong.wrong" }),
			await call("/v1/no-such-route"),
		]);
		expect(lines).toHaveLength(4);
		expect(lines.map(({ tenant, method, route, status }) => ({ tenant, method, route, status }))).toEqual([
			{ tenant: tenant.id, method: "GET", route: "/v1/users/:externalId", status: 404 },
			{ tenant: tenant.id, method: "GET", route: "/v1/jobs", status: 200 },
			{ tenant: null, method: "GET", route: "/v1/jobs", status: 401 },
			{ tenant: null, method: "GET", route: "/*", status: 404 },
		]);
		lines.forEach((line, i) => {
			expect(line.requestId).toBe(responses[i]!.headers.get("X-Request-Id"));
			expect(line.durationMs).toBeGreaterThanOrEqual(0);
		});
	});

	it("never carry record contents, keys or credentials in URLs", async () => {
		const { apiKey } = await createTenant();
		const { lines, printed } = await requestLines(async () => [
			await call("/v1/users/bulk", {
				method: "POST",
				key: apiKey.key,
				json: { users: [{ externalId: "rec-7f3a", email: "private.person@example.com" }] },
			}),
			await call("/v1/imports?type=users&inviteMessage=hello-private-text", {
				method: "POST",
				key: apiKey.key,
				body: '{"externalId":"line-9c1e"}\n',
				headers: { "Content-Type": "application/x-ndjson" },
			}),
			await call("/v1/users/bulkImport", {
				method: "POST",
				key: apiKey.key,
				json: { url: "http://importer:pa55word@127.0.0.1:9/users.csv?token=sig-0d4b" },
			}),
			await call("/v1/tenants", { method: "POST", key: OPERATOR_KEY, json: { name: "Tenant-name-5e2" } }),
		]);
		// Loopback is allowed in tests, so the URL import is accepted and its job fails to connect.
		expect(lines.map((l) => l.status)).toEqual([200, 202, 202, 201]);
		for (const secret of [
			"rec-7f3a",
			"private.person",
			"line-9c1e",
			"hello-private-text",
			"pa55word",
			"sig-0d4b",
			apiKey.key,
			apiKey.key.split(".")[1]!,
			OPERATOR_KEY,
			"ck_key_",
		]) {
			expect(printed).not.toContain(secret);
		}
	});
});

describe("job logs", () => {
	it("one JSON line per transition of a job, with its tenant, statuses and counts", async () => {
		const { tenant, apiKey } = await createTenant();
		const log = vi.spyOn(console, "log");
		const res = await call("/v1/imports?type=users&inviteMessage=invite-text-71c", {
			method: "POST",
			key: apiKey.key,
			body: '{"externalId":"job-log-1"}\n{"externalId":"job-log-2","email":"broken"}\n',
			headers: { "Content-Type": "application/x-ndjson" },
		});
		const job = await waitForJob(apiKey.key, (await res.json<JobView>()).id);
		const lines = log.mock.calls
			.map((args) => String(args[0]))
			.filter((text) => text.startsWith('{"event":"job"'))
			.map((text) => JSON.parse(text) as Record<string, unknown>)
			.filter((line) => line.job === job.id);
		expect(lines).toEqual([
			{ event: "job", job: job.id, tenant: tenant.id, from: null, to: "pending", total: 2 },
			{ event: "job", job: job.id, tenant: tenant.id, from: "pending", to: "processing", ...counts(2, 0, 0) },
			{ event: "job", job: job.id, tenant: tenant.id, from: "processing", to: "completed", ...counts(2, 1, 1) },
		]);
		const printed = log.mock.calls.map((args) => args.join(" ")).join("\n");
		for (const secret of ["invite-text-71c", "job-log-1", "broken"]) expect(printed).not.toContain(secret);
	});
});

const counts = (total: number, created: number, failed: number) => ({
	total,
	created,
	updated: 0,
	unchanged: 0,
	skipped: 0,
	failed,
});
