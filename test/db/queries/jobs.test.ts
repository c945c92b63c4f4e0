import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { records } from "../../../src/db/client";
import { chunkCounts, countRetryable, deleteJobRows, errorPage } from "../../../src/db/queries/jobs";
import { jobChunks, jobErrors } from "../../../src/db/schema";

async function seedJob(jobId: string, refs: number[]) {
	const database = records(env, 0);
	for (const ref of refs) {
		await database.insert(jobErrors).values({ jobId, ref, code: "VALIDATION_ERROR", error: `line ${ref}`, raw: null });
	}
	await database.insert(jobChunks).values({ jobId, chunk: 0, created: 3, updated: 2, skipped: 1, failed: refs.length });
}

describe("job row queries", () => {
	it("pages a job's errors in line order after a line, and counts them", async () => {
		const database = records(env, 0);
		await seedJob("job_e", [30, 4, 17]);
		await seedJob("job_f", [5]);
		expect((await errorPage(database, "job_e", -1, 2)).map((e) => e.ref)).toEqual([4, 17]);
		expect((await errorPage(database, "job_e", 17, 2)).map((e) => e.ref)).toEqual([30]);
		expect(await countRetryable(database, "job_e")).toBe(3);
		expect(await countRetryable(database, "job_none")).toBe(0);
	});

	it("a chunk's counts come from its ledger row until the job's rows are deleted", async () => {
		const database = records(env, 0);
		await seedJob("job_l", [1]);
		await seedJob("job_keep", [1]);
		expect(await chunkCounts(database, "job_l", 0)).toEqual({
			created: 3,
			updated: 2,
			unchanged: 0,
			skipped: 1,
			failed: 1,
		});
		expect(await chunkCounts(database, "job_l", 1)).toBeUndefined();
		await deleteJobRows(database, ["job_l"]);
		expect(await chunkCounts(database, "job_l", 0)).toBeUndefined();
		expect(await countRetryable(database, "job_l")).toBe(0);
		expect(await countRetryable(database, "job_keep")).toBe(1);
	});
});
