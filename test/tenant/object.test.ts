import {
	createExecutionContext,
	createMessageBatch,
	evictDurableObject,
	getQueueResult,
	runDurableObjectAlarm,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { chunkKey, type JobSpec } from "../../src/schemas/jobs";
import type { ChunkMessage } from "../../src/schemas/messages";
import { ImportOptions } from "../../src/schemas/records";
import { GIVE_UP_MS, STALL_MS } from "../../src/tenant/dispatch";
import { OUTBOX_GIVE_UP_MS } from "../../src/tenant/outbox";
import { call, countRows, createTenant, type JobView, upload, waitForJob } from "../helpers";

const NDJSON = { "Content-Type": "application/x-ndjson" };
const stubFor = (tenantId: string) => env.TENANT.get(env.TENANT.idFromName(tenantId));

afterEach(() => {
	vi.useRealTimers();
	vi.restoreAllMocks();
});

/** A users job of one chunk per entry of `chunks` (NDJSON lines), with the chunks in R2. */
async function jobOf(tenantId: string, chunks: string[][], spec: Partial<JobSpec> = {}): Promise<JobSpec> {
	const id = `job_${crypto.randomUUID()}`;
	let line = 1;
	const parts = [];
	for (const [i, lines] of chunks.entries()) {
		await env.FILES.put(chunkKey(id, i), `${lines.join("\n")}\n`);
		parts.push({ firstLine: line, records: lines.length });
		line += lines.length;
	}
	return {
		id,
		tenantId,
		type: "users.import",
		description: "staged",
		recordType: "users",
		format: "ndjson",
		origin: "file",
		options: ImportOptions.parse({}),
		total: line - 1,
		chunks: parts,
		...spec,
	};
}

/** Polls the object (not the API) until the job has ended. */
async function ended(tenantId: string, jobId: string) {
	await vi.waitUntil(async () => (await stubFor(tenantId).getJob(jobId))?.completedAt, {
		timeout: 30_000,
		interval: 100,
	});
	return (await stubFor(tenantId).getJob(jobId))!;
}

/** Runs the object's alarm as if `ms` had passed. */
async function alarmAfter(tenantId: string, ms: number) {
	vi.useFakeTimers({ toFake: ["Date"] });
	vi.setSystemTime(Date.now() + ms);
	const ran = await runDurableObjectAlarm(stubFor(tenantId));
	vi.useRealTimers();
	return ran;
}

describe("the tenant job queue", () => {
	it("runs one job at a time in FIFO order, shows positions, and rejects with ifBusy=reject", async () => {
		const { apiKey } = await createTenant();
		const lines = (prefix: string) =>
			Array.from({ length: 20_000 }, (_, i) => `{"externalId":"${prefix}${i}"}`).join("\n");
		const first = await (await upload(apiKey.key, "type=users", lines("f"), NDJSON)).json<JobView>();
		const second = await (await upload(apiKey.key, "type=users", lines("s"), NDJSON)).json<JobView>();
		const third = await (await upload(apiKey.key, "type=users", '{"externalId":"t"}', NDJSON)).json<JobView>();
		expect(first.status).toBe("processing");
		expect(second).toMatchObject({ status: "pending", position: 1 });
		expect(third).toMatchObject({ status: "pending", position: 2 });
		const rejected = await upload(apiKey.key, "type=users&ifBusy=reject", '{"externalId":"r"}', NDJSON);
		expect(rejected.status).toBe(409);
		expect((await rejected.json<{ error: { code: string } }>()).error.code).toBe("JOB_IN_PROGRESS");

		const cancelled = await call(`/v1/jobs/${third.id}/cancel`, { method: "POST", key: apiKey.key });
		expect(await cancelled.json()).toMatchObject({ status: "cancelled" });
		expect((await call(`/v1/jobs/${third.id}/cancel`, { method: "POST", key: apiKey.key })).status).toBe(409);

		const a = await waitForJob(apiKey.key, first.id);
		const b = await waitForJob(apiKey.key, second.id);
		expect([a.status, b.status]).toEqual(["completed", "completed"]);
		expect(Date.parse((b as unknown as { startedAt: string }).startedAt)).toBeGreaterThanOrEqual(
			Date.parse((a as unknown as { completedAt: string }).completedAt),
		);
		const list = await (await call("/v1/jobs?limit=2", { key: apiKey.key })).json<{
			data: JobView[];
			nextCursor: string;
		}>();
		expect(list.data.map((j) => j.id)).toEqual([third.id, second.id]);
		const rest = await (await call(`/v1/jobs?limit=2&cursor=${list.nextCursor}`, { key: apiKey.key })).json<{
			data: JobView[];
		}>();
		expect(rest.data.map((j) => j.id)).toEqual([first.id]);
		const done = await (await call("/v1/jobs?status=cancelled", { key: apiKey.key })).json<{ data: JobView[] }>();
		expect(done.data.map((j) => j.id)).toEqual([third.id]);
	});

	it("a running job survives the tenant object's eviction and finishes", async () => {
		const { tenant, apiKey } = await createTenant();
		const body = Array.from({ length: 30_000 }, (_, i) => `{"externalId":"ev${i}"}`).join("\n");
		const job = await (await upload(apiKey.key, "type=users", body, NDJSON)).json<JobView>();
		await evictDurableObject(stubFor(tenant.id));
		const done = await waitForJob(apiKey.key, job.id);
		expect(done.counts).toMatchObject({ total: 30_000, processed: 30_000, created: 30_000 });
	});

	it("another tenant's job is 404, and different tenants' jobs run at the same time", async () => {
		const a = await createTenant("A");
		const b = await createTenant("B");
		const body = Array.from({ length: 15_000 }, (_, i) => `{"externalId":"p${i}"}`).join("\n");
		const ja = await (await upload(a.apiKey.key, "type=users", body, NDJSON)).json<JobView>();
		const jb = await (await upload(b.apiKey.key, "type=users", body, NDJSON)).json<JobView>();
		expect([ja.status, jb.status]).toEqual(["processing", "processing"]);
		expect((await call(`/v1/jobs/${ja.id}`, { key: b.apiKey.key })).status).toBe(404);
		expect((await call(`/v1/jobs/${ja.id}/errors`, { key: b.apiKey.key })).status).toBe(404);
		expect((await call(`/v1/jobs/${ja.id}/cancel`, { method: "POST", key: b.apiKey.key })).status).toBe(404);
		await waitForJob(a.apiKey.key, ja.id);
		await waitForJob(b.apiKey.key, jb.id);
	});
});

describe("the stall alarm", () => {
	it("a chunk whose message was lost is sent again once it stalls, and the job completes", async () => {
		const tenantId = `t-${crypto.randomUUID()}`;
		const spec = await jobOf(tenantId, [['{"externalId":"a"}', '{"externalId":"b"}']]);
		const send = vi.spyOn(env.CHUNKS, "sendBatch").mockResolvedValueOnce({} as never);
		expect(await stubFor(tenantId).submitJob(spec, "queue")).toMatchObject({ status: "processing" });
		expect(await runDurableObjectAlarm(stubFor(tenantId))).toBe(true);
		expect(send).toHaveBeenCalledTimes(1);

		expect(await alarmAfter(tenantId, STALL_MS + 1000)).toBe(true);
		expect(send).toHaveBeenCalledTimes(2);
		expect(await ended(tenantId, spec.id)).toMatchObject({
			status: "completed",
			counts: { total: 2, created: 2, updated: 0, skipped: 0, failed: 0 },
		});
		expect(await countRows("users", tenantId)).toBe(2);
	});
});

describe("recovery", () => {
	it("once chunks have been seen to take a moment, a lost one goes out again within 30 s", async () => {
		const tenantId = `t-${crypto.randomUUID()}`;
		const stub = stubFor(tenantId);
		const first = await jobOf(tenantId, [['{"externalId":"f1"}']]);
		await stub.submitJob(first, "queue");
		expect(await ended(tenantId, first.id)).toMatchObject({ status: "completed" });

		const second = await jobOf(tenantId, [['{"externalId":"s1"}'], ['{"externalId":"s2"}']]);
		const send = vi.spyOn(env.CHUNKS, "sendBatch").mockResolvedValueOnce({} as never);
		await stub.submitJob(second, "queue");
		expect(await alarmAfter(tenantId, 20_000)).toBe(true);
		expect(send).toHaveBeenCalledTimes(2);
		expect(await ended(tenantId, second.id)).toMatchObject({ status: "completed", counts: { total: 2, created: 2 } });
	});
});

describe("counts after a cancel", () => {
	it("chunks that report after their job was cancelled are counted, so the counts match the rows", async () => {
		const { tenant } = await createTenant();
		const stub = stubFor(tenant.id);
		const spec = await jobOf(
			tenant.id,
			Array.from({ length: 9 }, (_, i) => [`{"externalId":"c${i}"}`]),
		);
		// The first 8 chunks go to the queue and are held there; the 9th waits its turn.
		vi.spyOn(env.CHUNKS, "sendBatch").mockResolvedValueOnce({} as never);
		await stub.submitJob(spec, "queue");
		expect(await stub.cancelJob(spec.id)).toMatchObject({ status: "cancelled" });

		// A queued chunk, and the waiting one as if a crash had lost its sending but not its message.
		const message = (chunk: number): ChunkMessage => ({
			tenantId: tenant.id,
			jobId: spec.id,
			chunk,
			firstLine: chunk + 1,
			recordType: "users",
			format: "ndjson",
			origin: "file",
			options: spec.options,
		});
		const batch = createMessageBatch(
			"cohort-chunks",
			[0, 8].map((chunk) => ({ id: `m${chunk}`, timestamp: new Date(), attempts: 1, body: message(chunk) })),
		);
		const ctx = createExecutionContext();
		await worker.queue(batch as MessageBatch<ChunkMessage>, env, ctx);
		expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(2);

		expect(await stub.getJob(spec.id)).toMatchObject({ status: "cancelled", counts: { total: 9, created: 2 } });
		expect(await countRows("users", tenant.id)).toBe(2);
	});
});

describe("a job never hangs", () => {
	it("chunks whose send failed are sent again by the alarm after a backoff, and the job completes", async () => {
		const tenantId = `t-${crypto.randomUUID()}`;
		const spec = await jobOf(tenantId, [['{"externalId":"r1"}'], ['{"externalId":"r2"}']]);
		const send = vi.spyOn(env.CHUNKS, "sendBatch").mockRejectedValueOnce(new Error("queue unavailable"));
		expect(await stubFor(tenantId).submitJob(spec, "queue")).toMatchObject({ status: "processing" });
		expect(await alarmAfter(tenantId, 2_000)).toBe(true);
		expect(send).toHaveBeenCalledTimes(2);
		expect(await ended(tenantId, spec.id)).toMatchObject({ status: "completed", counts: { total: 2, created: 2 } });
	});

	it("a job whose chunks cannot be queued ends failed after a bounded time, and the next job starts", async () => {
		const tenantId = `t-${crypto.randomUUID()}`;
		const stuck = await jobOf(tenantId, [['{"externalId":"s1"}']]);
		const next = await jobOf(tenantId, [['{"externalId":"n1"}']]);
		// The queue refuses every message of the stuck job, and only those.
		const sendBatch = env.CHUNKS.sendBatch.bind(env.CHUNKS);
		vi.spyOn(env.CHUNKS, "sendBatch").mockImplementation(async (messages, options) => {
			if ([...messages].some((m) => (m.body as { jobId: string }).jobId === stuck.id))
				throw new Error("queue unavailable");
			return sendBatch(messages, options);
		});
		const stub = stubFor(tenantId);
		expect(await stub.submitJob(stuck, "queue")).toMatchObject({ status: "processing" });
		expect(await stub.submitJob(next, "queue")).toMatchObject({ status: "pending", position: 1 });
		expect(await alarmAfter(tenantId, 60_000)).toBe(true);
		expect(await stub.getJob(stuck.id)).toMatchObject({ status: "processing" });

		expect(await alarmAfter(tenantId, GIVE_UP_MS)).toBe(true);
		const failed = await stub.getJob(stuck.id);
		expect(failed).toMatchObject({ status: "failed" });
		expect(failed?.errorMessage).toContain("could not be queued");
		expect(await ended(tenantId, next.id)).toMatchObject({ status: "completed", counts: { created: 1 } });
	});
});

describe("the job event outbox", () => {
	it("an end event the queue refused is sent again by the alarm, and leaves only once delivered", async () => {
		const tenantId = `t-${crypto.randomUUID()}`;
		const stub = stubFor(tenantId);
		const notify = vi.spyOn(env.NOTIFY, "sendBatch").mockRejectedValueOnce(new Error("queue unavailable"));
		const spec = await jobOf(tenantId, []);
		expect(await stub.submitJob(spec, "queue")).toMatchObject({ status: "completed" });
		expect(notify).toHaveBeenCalledTimes(1);

		expect(await alarmAfter(tenantId, 2_000)).toBe(true);
		expect(notify).toHaveBeenCalledTimes(2);
		expect(notify.mock.calls[1]![0]).toEqual([
			expect.objectContaining({
				body: { kind: "job", tenantId, job: expect.objectContaining({ id: spec.id, status: "completed" }) },
			}),
		]);
		// Accepted, it waits for the consumer's word; once the webhook took it, no alarm is left.
		await stub.jobEventDelivered(spec.id);
		expect(await runDurableObjectAlarm(stub)).toBe(false);
	});

	it("an event the queue keeps refusing is retried with backoff, then dropped with a log line after a day", async () => {
		const tenantId = `t-${crypto.randomUUID()}`;
		const notify = vi.spyOn(env.NOTIFY, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
		const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
		const spec = await jobOf(tenantId, []);
		await stubFor(tenantId).submitJob(spec, "queue");
		expect(await alarmAfter(tenantId, 3_600_000)).toBe(true);
		expect(notify).toHaveBeenCalledTimes(2);
		expect(log).not.toHaveBeenCalled();

		expect(await alarmAfter(tenantId, OUTBOX_GIVE_UP_MS)).toBe(true);
		expect(notify).toHaveBeenCalledTimes(3);
		expect(log).toHaveBeenCalledWith(expect.stringContaining(spec.id));
		expect(await runDurableObjectAlarm(stubFor(tenantId))).toBe(false);
	});
});
