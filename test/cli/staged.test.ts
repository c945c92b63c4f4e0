import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { finished, home, newTenant, scratchDir, server, start } from "./helpers";
import { recordingProxy } from "./proxy";

const PART_SIZE = 5 * 1024 * 1024;
let env: Record<string, string>;
let key: string;
let proxy: Awaited<ReturnType<typeof recordingProxy>>;

/** About `bytes` of NDJSON users, each with a 10 KB custom field (few records, many bytes); returns how many. */
async function bigNdjson(path: string, bytes: number): Promise<number> {
	const out = createWriteStream(path);
	const bio = "x".repeat(10_000);
	let written = 0;
	let count = 0;
	while (written < bytes) {
		count++;
		const line = `${JSON.stringify({ externalId: `big${count}`, email: `big${count}@example.com`, customFields: { bio } })}\n`;
		written += line.length;
		if (!out.write(line)) await new Promise((resolve) => out.once("drain", resolve));
	}
	await new Promise((resolve) => out.end(resolve));
	return count;
}

const partsSent = (status?: number) =>
	proxy.requests
		.filter((r) => r.method === "PUT" && (status === undefined || r.status === status))
		.map((r) => Number(r.path.match(/\/parts\/(\d+)$/)?.[1]))
		.sort((a, b) => a - b);

beforeAll(async () => {
	key = (await newTenant()).key;
	proxy = await recordingProxy(server.base);
	env = { ...home(), COHORT_URL: proxy.url, COHORT_KEY: key };
});
afterAll(() => proxy.close());

it("sends 200 MB in parts; after Ctrl-C half-way, the same command sends only the missing parts", async () => {
	const file = join(scratchDir("staged"), "big.ndjson");
	const records = await bigNdjson(file, 200_000_000);
	const parts = Math.ceil(200_000_000 / PART_SIZE);
	const args = ["import", file, "--type", "users", "--dry-run", "--no-watch"];

	const first = start(args, env);
	const firstRun = finished(first);
	await vi.waitUntil(() => partsSent(200).length >= parts / 2, { timeout: 120_000, interval: 50 });
	first.kill("SIGINT");
	const interrupted = await firstRun;
	expect(interrupted.code, interrupted.stderr).toBe(130);
	const uploadId = interrupted.stderr.match(/resume upload (upl_\S+);/)?.[1];
	expect(uploadId).toBeDefined();

	proxy.requests.length = 0;
	const resumed = await finished(start(["--json", ...args], env));
	expect(resumed.code, resumed.stderr).toBe(0);
	// What the server held when the second run asked (parts in flight at Ctrl-C may have landed after all).
	const asked = proxy.requests.find((r) => r.method === "GET" && r.path === `/v1/uploads/${uploadId}`);
	const held = (JSON.parse(asked!.answer) as { parts: { partNumber: number }[] }).parts.map((p) => p.partNumber);
	expect(held.length).toBeGreaterThanOrEqual(parts / 2);
	expect(held.length).toBeLessThan(parts);
	const missing = Array.from({ length: parts }, (_, i) => i + 1).filter((n) => !held.includes(n));
	expect(partsSent()).toEqual(missing);
	const out = JSON.parse(resumed.stdout);
	expect(out.upload).toEqual({ id: uploadId, parts, sent: missing });
	expect(out.job.counts.total).toBe(records);
}, 240_000);
