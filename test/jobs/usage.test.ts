import { describe, expect, it } from "vitest";
import { call, createTenant, type JobView, upload, waitForJob } from "../helpers";

const NDJSON = { "Content-Type": "application/x-ndjson" };
const lines = (n: number, name: (i: number) => string) =>
	Array.from({ length: n }, (_, i) =>
		JSON.stringify({ externalId: `u${i}`, email: `u${i}@x.io`, firstName: name(i), metadata: { team: "a", level: 3 } }),
	).join("\n");

async function importUsers(key: string, body: string) {
	const res = await upload(key, "type=users", body, NDJSON);
	expect(res.status).toBe(202);
	return waitForJob(key, (await res.json<JobView>()).id);
}

describe("what a job used", () => {
	it("counts D1 rows from D1's own figures, and R2 and queue operations per chunk", async () => {
		const { apiKey } = await createTenant();
		const fresh = await importUsers(
			apiKey.key,
			lines(12_000, () => "A"),
		);
		const chunks = 2;
		expect(fresh.counts.created).toBe(12_000);
		// A new user is a row and an entry in each of its two unique indexes; each chunk adds its ledger row
		// (and its index entry). Reads: the INSERT's own per record; the chunk's first and last records looked
		// new (one index probe each), so the chunk was not read.
		expect(fresh.usage).toEqual({
			d1RowsRead: 12_000 + 2 * chunks,
			d1RowsWritten: 3 * 12_000 + 2 * chunks,
			// Intake: a put per chunk and the intake mark; each chunk: its get, the puts of its results and of what
			// it found (the before-images undo restores), and its message.
			r2ClassA: chunks + 1 + 2 * chunks,
			r2ClassB: chunks,
			queueOperations: 3 * chunks,
		});

		const again = await importUsers(
			apiKey.key,
			lines(12_000, () => "A"),
		);
		expect(again.counts.unchanged).toBe(12_000);
		// Nothing changed: one probe by externalId per record (its email is the row's own), the index entry and
		// the row, after the probe of the chunk's first and last records that found them stored; only ledger rows
		// written.
		expect(again.usage.d1RowsWritten).toBe(2 * chunks);
		expect(again.usage.d1RowsRead).toBeLessThanOrEqual(2 * 12_000 + 7 * chunks);

		const changed = await importUsers(
			apiKey.key,
			lines(12_000, (i) => (i % 10 === 0 ? "B" : "A")),
		);
		expect(changed.counts).toMatchObject({ updated: 1_200, unchanged: 10_800 });
		// An update that keeps the user's externalId and email writes the row only, not its index entries.
		expect(changed.usage.d1RowsWritten).toBe(1_200 + 2 * chunks);
		// Its unchanged metadata is not merged again in SQL; the upsert on the user's id reads the input row and the user row.
		expect(changed.usage.d1RowsRead).toBeLessThanOrEqual(2 * 12_000 + 2 * 1_200 + 7 * chunks);
		const listed = await (await call("/v1/jobs", { key: apiKey.key })).json<{ data: JobView[] }>();
		expect(listed.data.find((j) => j.id === fresh.id)?.usage).toEqual(fresh.usage);
	});
});
