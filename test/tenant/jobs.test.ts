import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ChunkMessage } from "../../src/schemas/messages";
import { Dispatch, GIVE_UP_MS, STALL_MIN_MS, STALL_MS } from "../../src/tenant/dispatch";
import { Jobs, type RunningJob } from "../../src/tenant/jobs";
import { Pace } from "../../src/tenant/pace";
import { jobSpec } from "./spec";

const t0 = 1_800_000_000_000;
const counts = { created: 1, updated: 0, unchanged: 2, skipped: 0, failed: 0 };

/** One round of dispatch, as the object runs it. */
async function pump(chunks: Dispatch, job: RunningJob, now: number) {
	const messages = chunks.take(job, now);
	return messages.length > 0 ? chunks.send(job, messages, now) : undefined;
}

/** The parts on a fresh object's storage (already migrated by its constructor); sends are collected. */
type Parts = { jobs: Jobs; chunks: Dispatch; pace: Pace; sent: ChunkMessage[]; queue: { down: boolean } };
function withParts<T>(test: (parts: Parts) => Promise<T>) {
	return runInDurableObject(env.TENANT.get(env.TENANT.newUniqueId()), (_instance, state) => {
		const sent: ChunkMessage[] = [];
		const queue = { down: false };
		const pace = new Pace(state.storage.sql);
		const chunks = new Dispatch({
			sql: state.storage.sql,
			pace,
			send: async (messages) => {
				if (queue.down) throw new Error("queue unavailable");
				sent.push(...messages);
			},
		});
		return test({ jobs: new Jobs(state.storage.sql), chunks, pace, sent, queue });
	});
}

describe("job transitions", () => {
	it("pending -> processing -> completed, each once; an ended job neither fails nor cancels", async () => {
		await withParts(async ({ jobs }) => {
			expect(jobs.submit(jobSpec("j1", [1]), t0)).toBe(true);
			expect(jobs.submit(jobSpec("j1", [1]), t0)).toBe(false);
			expect(jobs.complete("j1", t0)).toBe(false);
			expect(jobs.start("j1", t0)).toBe(true);
			expect(jobs.start("j1", t0)).toBe(false);
			expect(jobs.running()?.id).toBe("j1");
			expect(jobs.complete("j1", t0 + 1000)).toBe(true);
			expect(jobs.fail("j1", "late", t0)).toBe(false);
			expect(jobs.cancel("j1", t0)).toBe(false);
			expect(jobs.get("j1")).toMatchObject({
				status: "completed",
				errorMessage: null,
				startedAt: new Date(t0).toISOString(),
				completedAt: new Date(t0 + 1000).toISOString(),
			});
		});
	});

	it("a pending job can fail or be cancelled; pending jobs know their place in the FIFO", async () => {
		await withParts(async ({ jobs }) => {
			for (const id of ["a", "b", "c"]) jobs.submit(jobSpec(id, [1]), t0);
			expect(jobs.next()).toBe("a");
			expect([jobs.get("b")?.position, jobs.get("c")?.position]).toEqual([2, 3]);
			expect(jobs.fail("a", "could not fetch", t0)).toBe(true);
			expect(jobs.cancel("b", t0)).toBe(true);
			expect(jobs.next()).toBe("c");
			expect(jobs.get("c")?.position).toBe(1);
			expect(jobs.get("a")).toMatchObject({ status: "failed", errorMessage: "could not fetch" });
			expect(jobs.busy()).toBe(true);
			expect(jobs.cancel("c", t0)).toBe(true);
			expect(jobs.busy()).toBe(false);
		});
	});
});

describe("chunk transitions", () => {
	it("a chunk completes once, also after its job ended; what was never sent is abandoned", async () => {
		await withParts(async ({ jobs, chunks, sent }) => {
			jobs.submit(jobSpec("j", [1, 1, 1]), t0);
			chunks.add("j", jobSpec("j", [1, 1, 1]).chunks);
			jobs.start("j", t0);
			expect(chunks.open("j")).toBe(3);
			await pump(chunks, jobs.running()!, t0);
			expect(sent.map((m) => m.chunk)).toEqual([0, 1, 2]);
			expect(chunks.complete("j", 0, t0)).toBe(true);
			expect(chunks.complete("j", 0, t0)).toBe(false);
			jobs.cancel("j", t0);
			chunks.abandon("j");
			expect(chunks.open("j")).toBe(2);
			expect(chunks.complete("j", 1, t0)).toBe(true);
			expect(chunks.open("j")).toBe(1);
			jobs.addCounts("j", counts);
			expect(jobs.get("j")?.counts).toMatchObject({ created: 1, unchanged: 2 });
		});
	});

	it("only WINDOW chunks of the running job are in the queue at once", async () => {
		await withParts(async ({ jobs, chunks, sent }) => {
			const big = jobSpec(
				"big",
				Array.from({ length: 12 }, () => 10),
			);
			jobs.submit(big, t0);
			chunks.add("big", big.chunks);
			jobs.start("big", t0);
			await pump(chunks, jobs.running()!, t0);
			expect(sent.map((m) => m.chunk)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
			chunks.complete("big", 3, t0);
			await pump(chunks, jobs.running()!, t0);
			expect(sent.map((m) => m.chunk).slice(8)).toEqual([8]);
			chunks.abandon("big");
			expect(chunks.open("big")).toBe(8);
			// An abandoned chunk never goes out; were it to report, its write happened and counts.
			expect(chunks.complete("big", 11, t0)).toBe(true);
			expect(chunks.open("big")).toBe(8);
		});
	});
});

describe("the stall timeout", () => {
	it("is a few times the median gap between a job's reports, within 15 s and 2 min, and 2 min with nothing to go by", async () => {
		await withParts(async ({ jobs, chunks }) => {
			const job = jobSpec(
				"j",
				Array.from({ length: 32 }, () => 1),
			);
			jobs.submit(job, t0);
			chunks.add("j", job.chunks);
			jobs.start("j", t0);
			expect(chunks.stallTimeout()).toBe(STALL_MS);
			const sent = chunks.take(jobs.running()!, t0);
			let now = t0;
			/** The next sent chunk reports `ms` after the previous report. */
			const report = (ms: number) => {
				now += ms;
				chunks.complete("j", sent.shift()!.chunk, now);
			};
			// The first report has no gap before it: its time from send to report stands in.
			report(30_000);
			expect(chunks.stallTimeout()).toBe(STALL_MS);
			for (let i = 0; i < 3; i++) report(1_000);
			expect(chunks.stallTimeout()).toBe(STALL_MIN_MS);
			for (let i = 0; i < 4; i++) report(10_000);
			expect(chunks.stallTimeout()).toBe(40_000);
		});
	});

	it("holds queued chunks back while the job reports, and sends them again once its reports stop", async () => {
		await withParts(async ({ jobs, chunks, sent }) => {
			const job = jobSpec(
				"j",
				Array.from({ length: 32 }, () => 1),
			);
			jobs.submit(job, t0);
			chunks.add("j", job.chunks);
			jobs.start("j", t0);
			const running = jobs.running()!;
			await pump(chunks, running, t0);
			const sends = (chunk: number) => sent.filter((m) => m.chunk === chunk).length;
			// Chunk 0 waits in a busy queue while the chunks behind it report every 5 s for a minute.
			let now = t0;
			for (let idx = 1; idx <= 12; idx++) {
				now += 5_000;
				chunks.complete("j", idx, now);
				await pump(chunks, running, now);
			}
			expect(sends(0)).toBe(1);
			// Then nothing reports (the runtime died with the queue's messages): four gaps later, all go again.
			expect(chunks.nextWakeAt(running, now)).toBe(now + 20_000);
			await pump(chunks, running, now + 20_000);
			expect([0, 13, 19].map(sends)).toEqual([2, 2, 2]);
		});
	});
});

describe("failed sends", () => {
	it("are due again after a backoff that doubles, and past GIVE_UP_MS say why the job cannot go on", async () => {
		await withParts(async ({ jobs, chunks, sent, queue }) => {
			const job = jobSpec("j", [1]);
			jobs.submit(job, t0);
			chunks.add("j", job.chunks);
			jobs.start("j", t0);
			const running = jobs.running()!;
			queue.down = true;
			expect(await pump(chunks, running, t0)).toBeUndefined();
			expect(chunks.nextWakeAt(running, t0)).toBe(t0 + 1_000);
			expect(chunks.take(running, t0 + 999)).toEqual([]);
			expect(await pump(chunks, running, t0 + 4_000)).toBeUndefined();
			expect(chunks.nextWakeAt(running, t0 + 4_000)).toBe(t0 + 8_000);

			queue.down = false;
			expect(await pump(chunks, running, t0 + 8_000)).toBeUndefined();
			expect(sent.map((m) => m.chunk)).toEqual([0]);
			const stalled = t0 + 8_000 + STALL_MS;
			expect(chunks.nextWakeAt(running, t0 + 8_000)).toBe(stalled);

			// A send that worked resets the clock: failing starts again from the next failure.
			queue.down = true;
			expect(await pump(chunks, running, stalled)).toBeUndefined();
			expect(chunks.nextWakeAt(running, stalled)).toBe(stalled + 1_000);
			expect(await pump(chunks, running, stalled + GIVE_UP_MS)).toContain("could not be queued");
		});
	});
});

describe("pacing", () => {
	it("recordsPerMinute holds chunks back until the records bucket covers them", async () => {
		await withParts(async ({ jobs, chunks, pace, sent }) => {
			pace.setLimits({ recordsPerMinute: 1200 });
			const paced = jobSpec("job_paced", [1000, 1000, 1000]);
			jobs.submit(paced, t0);
			chunks.add(paced.id, paced.chunks);
			jobs.start(paced.id, t0);
			const running = jobs.running()!;
			await pump(chunks, running, t0);
			expect(chunks.nextWakeAt(running, t0)).toBe(t0 + 40_000);
			expect(sent.map((m) => m.chunk)).toEqual([0]);
			await pump(chunks, running, t0 + 39_000);
			expect(sent.map((m) => m.chunk)).toEqual([0]);
			await pump(chunks, running, t0 + 40_000);
			expect(sent.map((m) => m.chunk)).toEqual([0, 1]);
		});
	});
});
