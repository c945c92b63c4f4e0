import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashSecret } from "../src/auth/keys";
import { db } from "../src/db/client";
import { reserveKey } from "../src/db/queries/idempotency";
import { LEASE_MS } from "../src/idempotency";
import { call, createTenant, type JobView, waitForJob } from "./helpers";

const users = (...ids: string[]) => JSON.stringify({ users: ids.map((externalId) => ({ externalId })) });

/** A request that reserved `key` for `body` at `at` and died before it stored a response. */
async function diedWith(tenantId: string, route: string, key: string, body: string, at: number) {
	const times = { now: at, leaseUntil: at + LEASE_MS, expiredBefore: 0 };
	const reservation = await reserveKey(db(env), { tenantId, key, route }, "died", await hashSecret(body), times);
	expect(reservation.held).toBe(true);
}

function sync(key: string, idempotencyKey: string, body: string) {
	return call("/v1/users/bulk", {
		method: "POST",
		key,
		body,
		headers: { "Content-Type": "application/json", "Idempotency-Key": idempotencyKey },
	});
}

function importFile(key: string, idempotencyKey: string, body: string) {
	return call("/v1/imports?type=users", {
		method: "POST",
		key,
		body,
		headers: { "Content-Type": "application/x-ndjson", "Idempotency-Key": idempotencyKey },
	});
}

describe("Idempotency-Key reservations", () => {
	it("a key reserved by a request that died works again once its lease runs out, for the same body", async () => {
		const { tenant, apiKey } = await createTenant();
		const body = users("i1", "i2");
		await diedWith(tenant.id, "POST /v1/users/bulk", "live", body, Date.now());
		const live = await sync(apiKey.key, "live", body);
		expect(live.status).toBe(409);
		expect(await live.text()).toContain("still in progress");

		await diedWith(tenant.id, "POST /v1/users/bulk", "dead", body, Date.now() - LEASE_MS - 1);
		const retried = await sync(apiKey.key, "dead", body);
		expect(retried.status).toBe(200);
		expect(await retried.json()).toMatchObject({ created: 2 });
		const replay = await sync(apiKey.key, "dead", body);
		expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
	});

	it("after the crash another body is a 409, and the key still waits for the first body", async () => {
		const { tenant, apiKey } = await createTenant();
		const body = users("j1");
		await diedWith(tenant.id, "POST /v1/users/bulk", "k", body, Date.now() - LEASE_MS - 1);
		const other = await sync(apiKey.key, "k", users("j2"));
		expect(other.status).toBe(409);
		expect(await other.text()).toContain("different request body");
		expect((await sync(apiKey.key, "k", body)).status).toBe(200);
	});

	it("a streamed upload whose request died after reading its body: the same file proceeds, another makes no job", async () => {
		const { tenant, apiKey } = await createTenant();
		const file = '{"externalId":"f1"}\n';
		await diedWith(tenant.id, "POST /v1/imports?type=users", "up", file, Date.now() - LEASE_MS - 1);
		const other = await importFile(apiKey.key, "up", '{"externalId":"f2"}\n');
		expect(other.status).toBe(409);
		const jobs = await (await call("/v1/jobs", { key: apiKey.key })).json<{ data: unknown[] }>();
		expect(jobs.data).toHaveLength(0);
		const same = await importFile(apiKey.key, "up", file);
		expect(same.status).toBe(202);
		expect((await importFile(apiKey.key, "up", file)).headers.get("Idempotent-Replayed")).toBe("true");
	});
});

describe("Idempotency-Key scope: method, path, query string and body", () => {
	it("a real import after a dry run with the same key is a 409, not the dry run replayed", async () => {
		const { apiKey } = await createTenant();
		const file = '{"externalId":"dry1"}\n';
		const send = (query: string) =>
			call(`/v1/imports?${query}`, {
				method: "POST",
				key: apiKey.key,
				body: file,
				headers: { "Content-Type": "application/x-ndjson", "Idempotency-Key": "scope" },
			});
		const dry = await send("type=users&dryRun=true");
		expect(dry.status).toBe(202);
		const real = await send("type=users");
		expect(real.status).toBe(409);
		expect(await real.text()).toContain("POST /v1/imports?type=users&dryRun=true");
		const again = await send("type=users&dryRun=true");
		expect(again.headers.get("Idempotent-Replayed")).toBe("true");
		expect((await again.json<JobView>()).id).toBe((await dry.json<JobView>()).id);
	});

	it("the same key on another path is a 409", async () => {
		const { apiKey } = await createTenant();
		expect((await sync(apiKey.key, "path", users("p1"))).status).toBe(200);
		const companies = await call("/v1/companies/bulk", {
			method: "POST",
			key: apiKey.key,
			body: JSON.stringify({ companies: [{ companyId: "c1" }] }),
			headers: { "Content-Type": "application/json", "Idempotency-Key": "path" },
		});
		expect(companies.status).toBe(409);
	});

	it("a multipart bulk_identify upload is replayed with its first job, and another file is a 409", async () => {
		const { apiKey } = await createTenant();
		// A client re-sending a request sends the same bytes, boundary included.
		const boundary = "cohort-test-boundary";
		const form = (line: string) =>
			`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="users.ndjson"\r\n` +
			`Content-Type: application/x-ndjson\r\n\r\n${line}\r\n--${boundary}--\r\n`;
		const send = (line: string) =>
			call("/v1/users/bulk_identify", {
				method: "POST",
				key: apiKey.key,
				body: form(line),
				headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, "Idempotency-Key": "form" },
			});
		const first = await send('{"user_id":"m1"}\n');
		expect(first.status).toBe(202);
		const replay = await send('{"user_id":"m1"}\n');
		expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
		expect((await replay.json<JobView>()).id).toBe((await first.json<JobView>()).id);
		expect((await send('{"user_id":"m2"}\n')).status).toBe(409);
	});

	it("a retry sent twice with one key makes one retry job", async () => {
		const { apiKey } = await createTenant();
		const upload = await call("/v1/imports?type=users", {
			method: "POST",
			key: apiKey.key,
			body: '{"email":"not-an-email"}\n',
			headers: { "Content-Type": "application/x-ndjson" },
		});
		const parent = await waitForJob(apiKey.key, (await upload.json<JobView>()).id);
		const retry = () =>
			call(`/v1/jobs/${parent.id}/retry`, { method: "POST", key: apiKey.key, headers: { "Idempotency-Key": "rt" } });
		const first = await retry();
		expect(first.status).toBe(202);
		const second = await retry();
		expect(second.headers.get("Idempotent-Replayed")).toBe("true");
		expect((await second.json<JobView>()).id).toBe((await first.json<JobView>()).id);
		const jobs = await (await call("/v1/jobs", { key: apiKey.key })).json<{ data: unknown[] }>();
		expect(jobs.data).toHaveLength(2);
	});
});
