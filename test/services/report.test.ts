import { describe, expect, it } from "vitest";
import { MAX_STORED_RECORD, storedRecord } from "../../src/services/report";
import { call, createTenant, type JobView, shardOf, upload, waitForJob } from "../helpers";

const NDJSON = { "Content-Type": "application/x-ndjson" };
const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

describe("stored error rows", () => {
	it("keep a record whole up to 64 KiB, else its first 64 KiB of UTF-8, cut between characters", () => {
		expect(storedRecord("x".repeat(MAX_STORED_RECORD))).toEqual({
			raw: "x".repeat(MAX_STORED_RECORD),
			truncated: false,
		});
		const cut = storedRecord("x".repeat(MAX_STORED_RECORD + 1));
		expect(cut).toEqual({ raw: "x".repeat(MAX_STORED_RECORD), truncated: true });
		const rockets = storedRecord(`a${"🚀".repeat(20_000)}`);
		expect(rockets.truncated).toBe(true);
		expect(utf8Bytes(rockets.raw)).toBe(1 + 4 * 16_383);
		expect(rockets.raw.endsWith("🚀")).toBe(true);
	});

	it("a failed line of 1 MiB stores 64 KiB, marked truncated in the report, and a retry leaves it out", async () => {
		const { tenant, apiKey } = await createTenant();
		const huge = "\u0001".repeat(1_040_000);
		const file = [
			huge,
			`{"externalId":"x","firstName":"${"y".repeat(1_100_000)}"}`,
			'{"externalId":"ok-but-bad","email":"nope"}',
		];
		const res = await upload(apiKey.key, "type=users", `${file.join("\n")}\n`, NDJSON);
		const job = await waitForJob(apiKey.key, (await res.json<JobView>()).id);
		expect(job.counts).toMatchObject({ total: 3, failed: 3 });

		const stored = await (await shardOf(tenant.id))
			.prepare(
				"SELECT ref, length(CAST(raw AS BLOB)) AS bytes, truncated FROM job_errors WHERE job_id = ? ORDER BY ref",
			)
			.bind(job.id)
			.all<{ ref: number; bytes: number; truncated: number }>();
		expect(stored.results.map((r) => [r.ref, r.truncated])).toEqual([
			[1, 1],
			[2, 1],
			[3, 0],
		]);
		expect(stored.results[0]!.bytes).toBe(MAX_STORED_RECORD);

		const report = (await (await call(job.links.errors, { key: apiKey.key })).text())
			.trim()
			.split("\n")
			.map((l) => JSON.parse(l) as { line: number; record: string; truncated?: boolean });
		expect(report.map((r) => [r.line, r.truncated])).toEqual([
			[1, true],
			[2, true],
			[3, undefined],
		]);
		expect(report[0]!.record).toBe(huge.slice(0, MAX_STORED_RECORD));

		const csv = (
			await (await call(job.links.errors, { key: apiKey.key, headers: { Accept: "text/csv" } })).text()
		).split("\r\n");
		expect(csv[1]).toContain("(record cut to its first 64 KiB)");
		expect(csv[3]).not.toContain("cut to");

		const retry = await call(`/v1/jobs/${job.id}/retry`, { method: "POST", key: apiKey.key });
		expect(retry.status).toBe(202);
		const again = await waitForJob(apiKey.key, (await retry.json<JobView>()).id);
		expect(again.counts).toMatchObject({ total: 1, failed: 1 });
	});
});
