import { describe, expect, it } from "vitest";
import { call, createTenant, type JobView, upload } from "../helpers";

type Page = { data: JobView[]; nextCursor: string | null };

/** A tenant whose first job stays processing: one record a minute lets its second chunk wait a minute. */
async function busyTenant() {
	const { apiKey } = await createTenant("Paced", { recordsPerMinute: 1 });
	const lines = Array.from({ length: 5001 }, (_, i) => JSON.stringify({ externalId: `p${i}` }));
	const res = await upload(apiKey.key, "type=users", lines.join("\n"), { "Content-Type": "application/x-ndjson" });
	expect(res.status).toBe(202);
	return { key: apiKey.key, running: await res.json<JobView>() };
}

describe("jobs", () => {
	it("a pending job is cancelled at once; an ended job cannot be cancelled, and a running one not retried", async () => {
		const { key, running } = await busyTenant();
		const queued = await call("/v1/users/bulk?mode=async", {
			method: "POST",
			key,
			json: { users: [{ externalId: "q" }] },
		});
		const pending = await queued.json<JobView>();
		expect(pending).toMatchObject({ status: "pending", position: 1 });

		const cancelled = await call(`/v1/jobs/${pending.id}/cancel`, { method: "POST", key });
		expect(cancelled.status).toBe(200);
		expect((await cancelled.json<JobView>()).status).toBe("cancelled");
		const again = await call(`/v1/jobs/${pending.id}/cancel`, { method: "POST", key });
		expect(again.status).toBe(409);
		expect((await again.json<{ error: { code: string } }>()).error.code).toBe("CONFLICT");
		const retry = await call(`/v1/jobs/${running.id}/retry`, { method: "POST", key });
		expect(retry.status).toBe(409);
	});

	it("lists jobs newest first, by status, a page at a time", async () => {
		const { key, running } = await busyTenant();
		const ids = [running.id];
		for (const externalId of ["a", "b"]) {
			const res = await call("/v1/users/bulk?mode=async", { method: "POST", key, json: { users: [{ externalId }] } });
			ids.push((await res.json<JobView>()).id);
		}
		const first = await (await call("/v1/jobs?limit=2", { key })).json<Page>();
		expect(first.data.map((j) => j.id)).toEqual([ids[2], ids[1]]);
		const rest = await (await call(`/v1/jobs?limit=2&cursor=${first.nextCursor}`, { key })).json<Page>();
		expect(rest).toEqual({ data: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
		const processing = await (await call("/v1/jobs?status=processing", { key })).json<Page>();
		expect(processing.data.map((j) => j.id)).toEqual([running.id]);
		expect((await call("/v1/jobs?status=stuck", { key })).status).toBe(400);
	});
});
