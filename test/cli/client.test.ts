import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import {
	type Client,
	createClient,
	errorRows,
	followJob,
	ok,
	uploadFile,
	verifySignature,
	withRetries,
} from "../../src/client";
import { signature } from "../../src/notify/sign";
import { newTenant, server } from "./helpers";
import { recordingProxy } from "./proxy";

let key: string;
let client: Client;

const users = (count: number, prefix: string, pad = "") =>
	Array.from({ length: count }, (_, i) =>
		JSON.stringify({ externalId: `${prefix}${i}`, email: `${prefix}${i}@example.com`, firstName: pad || undefined }),
	).join("\n");

beforeAll(async () => {
	key = (await newTenant("client")).key;
	client = createClient({ baseUrl: server.base, key });
});

describe("uploadFile", () => {
	it("decompresses a gzip file into staged parts, and a second call sends only the parts the first did not", async () => {
		// About 12 MB of NDJSON once decompressed: three 5 MiB parts.
		const text = users(40_000, "gz", "p".repeat(250));
		const file = new Blob([gzipSync(text)]);
		const controller = new AbortController();
		let uploadId = "";
		const first = uploadFile(client, file, {
			type: "users",
			format: "ndjson",
			gzip: true,
			staged: true,
			partsInFlight: 1,
			options: { dryRun: true },
			onUpload: (id) => {
				uploadId = id;
			},
			onProgress: (sent) => sent > 0 && controller.abort(),
			signal: controller.signal,
		});
		await expect(first).rejects.toThrow();
		const second = await uploadFile(client, file, {
			type: "users",
			format: "ndjson",
			gzip: true,
			staged: true,
			resume: uploadId,
			options: { dryRun: true },
		});
		expect(second.upload).toEqual({ id: uploadId, parts: 3, sent: [2, 3] });
		expect(second.job.counts.total).toBe(40_000);
	});
});

describe("followJob and errorRows", () => {
	it("follows a job to its end through a dropped stream, reopening it with Last-Event-ID", async () => {
		// At 60 records a minute the tenant's job sends one chunk (up to 10,000 records) a minute: 15,000 keep it running.
		const paced = await newTenant("paced", { recordsPerMinute: 60 });
		let cuts = 0;
		const proxy = await recordingProxy(server.base, (req) => req.url!.endsWith("/events") && cuts++ === 0);
		try {
			const viaProxy = createClient({ baseUrl: proxy.url, key: paced.key });
			const body = new Blob([users(15_000, "sse")]);
			const { job } = await uploadFile(viaProxy, body, { type: "users", format: "ndjson" });
			const events = () => proxy.requests.filter((r) => r.path === `/v1/jobs/${job.id}/events`);
			const seen = [];
			for await (const next of followJob(viaProxy, job.id)) {
				seen.push(next);
				if (events().length === 2 && next.status === "processing") {
					await ok(viaProxy.v1.jobs[":id"].cancel.$post({ param: { id: job.id } }));
				}
			}
			expect(seen.at(-1)).toMatchObject({ id: job.id, status: "cancelled" });
			expect(events()).toHaveLength(2);
			expect(events()[0]!.headers["last-event-id"]).toBeUndefined();
			expect(events()[1]!.headers["last-event-id"]).toBe(String(seen[0]!.counts.processed));
		} finally {
			await proxy.close();
		}
	});

	it("errorRows streams a job's failed records", async () => {
		const body = new Blob([`${users(2, "rows")}\n{"externalId":"bad","email":"nope"}\n`]);
		const { job } = await uploadFile(client, body, { type: "users", format: "ndjson" });
		for await (const _ of followJob(client, job.id));
		const rows = [];
		for await (const row of errorRows(client, job.id)) rows.push(row);
		expect(rows).toEqual([
			expect.objectContaining({
				line: 3,
				code: "VALIDATION_ERROR",
				error: expect.stringContaining("Invalid email format"),
			}),
		]);
	});
});

describe("withRetries", () => {
	/** A loopback server that answers with `statuses` in turn (then 200), Retry-After: 1 on a 429. */
	async function answering(statuses: number[]) {
		let calls = 0;
		const http = createServer((_req, res) => {
			const status = statuses[calls++] ?? 200;
			res.writeHead(status, status === 429 ? { "Retry-After": "1" } : {}).end();
		});
		await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
		const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
		return { url, calls: () => calls, close: () => new Promise((resolve) => http.close(resolve)) };
	}

	it("waits as long as Retry-After says on a 429 and backs off on 5xx", async () => {
		const target = await answering([429, 503, 500]);
		const waits: number[] = [];
		const res = await withRetries(() => fetch(target.url), {
			baseDelayMs: 10,
			onRetry: ({ delayMs }) => waits.push(delayMs),
		});
		expect(res.status).toBe(200);
		expect(target.calls()).toBe(4);
		expect(waits[0]).toBe(1000);
		expect(waits[1]).toBeGreaterThanOrEqual(20);
		expect(waits[2]).toBeGreaterThanOrEqual(40);
		await target.close();
	});

	it("leaves other answers alone and gives the last 5xx once the attempts are used", async () => {
		const refused = await answering([400]);
		expect((await withRetries(() => fetch(refused.url))).status).toBe(400);
		expect(refused.calls()).toBe(1);
		await refused.close();
		const failing = await answering([502, 502, 502]);
		expect((await withRetries(() => fetch(failing.url), { attempts: 3, baseDelayMs: 1 })).status).toBe(502);
		expect(failing.calls()).toBe(3);
		await failing.close();
	});
});

describe("verifySignature", () => {
	const body = JSON.stringify({ type: "job.completed", job: { id: "job_1" } });

	it("accepts what the service signs, and nothing altered, stale or signed with another secret", async () => {
		const now = Date.now();
		const header = await signature("receiver-secret-123", body, Math.floor(now / 1000));
		expect(await verifySignature("receiver-secret-123", header, body, { now })).toBe(true);
		expect(await verifySignature("receiver-secret-123", header, `${body} `, { now })).toBe(false);
		expect(await verifySignature("another-secret-456", header, body, { now })).toBe(false);
		expect(await verifySignature("receiver-secret-123", header, body, { now: now + 301_000 })).toBe(false);
		expect(await verifySignature("receiver-secret-123", "t=1,v1=zz", body, { now })).toBe(false);
		expect(await verifySignature("receiver-secret-123", null, body, { now })).toBe(false);
	});
});
