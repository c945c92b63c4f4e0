import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createTenant, type JobView, upload } from "../helpers";

const NDJSON = { "Content-Type": "application/x-ndjson" };
const encoder = new TextEncoder();

const lines = (prefix: string, n: number) =>
	Array.from({ length: n }, (_, i) => `{"externalId":"${prefix}-${i}","firstName":"${"x".repeat(200)}"}\n`).join("");

async function storedKeys(prefix = "jobs/"): Promise<string[]> {
	const keys: string[] = [];
	let cursor: string | undefined;
	do {
		const page = await env.FILES.list({ prefix, cursor });
		keys.push(...page.objects.map((o) => o.key));
		cursor = page.truncated ? page.cursor : undefined;
	} while (cursor);
	return keys;
}

describe("uploads that end without a job leave nothing in R2", () => {
	it("an ifBusy=reject upload refused after its chunks were written deletes them", async () => {
		// Pacing at one record a minute keeps the other job processing for the whole test.
		const { apiKey } = await createTenant("Busy", { recordsPerMinute: 1 });
		let feed!: ReadableStreamDefaultController<Uint8Array>;
		const body = new ReadableStream<Uint8Array>({
			start(controller) {
				feed = controller;
			},
		});
		const refused = upload(apiKey.key, "type=users&ifBusy=reject", body, NDJSON);
		feed.enqueue(encoder.encode(lines("late", 12_000)));
		// The early busy check has passed and the first chunks are in R2.
		await vi.waitFor(async () => expect((await storedKeys()).length).toBeGreaterThan(0), { timeout: 30_000 });

		const running = await upload(apiKey.key, "type=users", lines("first", 5_001), NDJSON);
		expect(running.status).toBe(202);
		const job = await running.json<JobView>();
		feed.enqueue(encoder.encode(lines("late-2", 10)));
		feed.close();

		const res = await refused;
		expect(res.status).toBe(409);
		expect((await res.json<{ error: { code: string } }>()).error.code).toBe("JOB_IN_PROGRESS");
		const left = await storedKeys();
		expect(left.length).toBeGreaterThan(0);
		expect(left.filter((key) => !key.startsWith(`jobs/${job.id}/`))).toEqual([]);
	});

	it("an upload that fails after its chunks were written deletes them", async () => {
		const { apiKey } = await createTenant();
		const before = await storedKeys();
		// Past the tests' 16 MiB MAX_IMPORT_BYTES, after several chunks were cut.
		const res = await upload(apiKey.key, "type=users", lines("big", 80_000), NDJSON);
		expect(res.status).toBe(413);
		expect(await storedKeys()).toEqual(before);
	});
});
