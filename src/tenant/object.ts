import { DurableObject } from "cloudflare:workers";
import type { Admission } from "../auth/authenticate";
import { secretsEqual } from "../auth/keys";
import { db } from "../db/client";
import { findKey } from "../db/queries/api-keys";
import type { ErrorCode } from "../errors";
import type { IfBusy } from "../schemas/common";
import type { JobSpec, JobStatus, ReportedCounts, Usage } from "../schemas/jobs";
import type { TenantLimits } from "../schemas/tenants";
import { type RateDecision, RequestBucket } from "./bucket";
import { Dispatch } from "./dispatch";
import { type JobRecord, Jobs, type RunningJob } from "./jobs";
import { KeyCache } from "./keys";
import { migrate } from "./migrations";
import { type JobEvent, Outbox } from "./outbox";
import { Pace } from "./pace";

/** Errors do not keep their class across RPC, so refusals travel as values. */
export type Refusal = { refused: { code: ErrorCode; message: string } };

export const BUSY: Refusal = {
	refused: { code: "JOB_IN_PROGRESS", message: "This tenant already has a job pending or running" },
};

/** Queues take at most 100 messages per send. */
async function sendAll(queue: Queue, bodies: unknown[]): Promise<void> {
	for (let i = 0; i < bodies.length; i += 100) {
		await queue.sendBatch(bodies.slice(i, i + 100).map((body) => ({ body, contentType: "json" })));
	}
}

/**
 * One object per tenant, addressed by tenant id. It owns what must be serialized per tenant: the
 * request token bucket, and the job queue with its progress. Its parts each own their tables
 * (bucket.ts, jobs.ts, dispatch.ts, pace.ts, outbox.ts); the object moves jobs between them and
 * keeps the one alarm, so eviction or a restart loses nothing. It also holds the tenant's key rows
 * in memory (keys.ts), so a request's key and token cost one call to it.
 */
export class TenantObject extends DurableObject<Env> {
	private readonly bucket: RequestBucket;
	private readonly pace: Pace;
	private readonly jobs: Jobs;
	private readonly chunks: Dispatch;
	private readonly outbox: Outbox;
	private readonly keys: KeyCache;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		migrate(ctx.storage);
		const sql = ctx.storage.sql;
		this.bucket = new RequestBucket(sql);
		this.pace = new Pace(sql);
		this.jobs = new Jobs(sql);
		this.chunks = new Dispatch({ sql, pace: this.pace, send: (messages) => sendAll(env.CHUNKS, messages) });
		this.outbox = new Outbox({ sql, send: (events) => sendAll(env.NOTIFY, events) });
		this.keys = new KeyCache((id) => findKey(db(env), id));
	}

	/** A key of this tenant checked against its secret's hash, and a request token: undefined for a bad key, which takes none. */
	async admit(keyId: string, secretHash: string): Promise<Admission | undefined> {
		const row = await this.keys.get(keyId);
		if (!row || row.key.revokedAt || !(await secretsEqual(secretHash, row.key.secretHash))) return undefined;
		const { id, tenantId, name, role } = row.key;
		return {
			key: { id, tenantId, name, role },
			limits: row.limits,
			shard: row.shard,
			rate: this.takeRequestToken(row.limits),
		};
	}

	/** A key or the tenant changed in the control database: the next request reads its key again. */
	forgetKeys(): void {
		this.keys.forget();
	}

	takeRequestToken(limits: TenantLimits): RateDecision {
		this.pace.setLimits(limits);
		return this.bucket.take(limits, Date.now());
	}

	/** New limits apply from the next request. */
	applyLimits(limits: TenantLimits): void {
		this.keys.forget();
		if (limits.burst !== undefined) this.bucket.capTo(limits.burst);
		this.pace.setLimits(limits);
	}

	isBusy(): boolean {
		return this.jobs.busy();
	}

	async submitJob(spec: JobSpec, ifBusy: IfBusy): Promise<JobRecord | Refusal> {
		if (!this.jobs.get(spec.id)) {
			if (ifBusy === "reject" && this.jobs.busy()) return BUSY;
			this.submit(spec);
		}
		await this.advance();
		return this.jobs.get(spec.id)!;
	}

	async recordFailedJob(spec: JobSpec, message: string): Promise<JobRecord> {
		this.submit(spec);
		this.end(spec.id, (now) => this.jobs.fail(spec.id, message, now));
		await this.advance();
		return this.jobs.get(spec.id)!;
	}

	getJob(id: string): JobRecord | undefined {
		return this.jobs.get(id);
	}

	getJobSpec(id: string): JobSpec | undefined {
		return this.jobs.spec(id);
	}

	/** The chunks a job was submitted with (first line, records), in order. */
	getJobChunks(id: string): { firstLine: number; records: number }[] {
		return this.chunks.list(id);
	}

	listJobs(status: JobStatus | undefined, beforeSeq: number | undefined, limit: number) {
		return this.jobs.list(status, beforeSeq, limit);
	}

	async cancelJob(id: string): Promise<JobRecord | Refusal> {
		const job = this.jobs.get(id);
		if (!job) return { refused: { code: "NOT_FOUND", message: `Job ${id} not found` } };
		if (!this.end(id, (now) => this.jobs.cancel(id, now))) {
			return {
				refused: {
					code: "CONFLICT",
					message: `Job ${id} is already ${job.status}; only pending or processing jobs can be cancelled`,
				},
			};
		}
		await this.advance();
		return this.jobs.get(id)!;
	}

	/** Counts a chunk once, however often it is reported, and completes the job with its last chunk. */
	async chunkDone(jobId: string, chunk: number, counts: ReportedCounts, usage: Usage): Promise<void> {
		this.ctx.storage.transactionSync(() => {
			if (!this.chunks.complete(jobId, chunk, Date.now())) return;
			this.jobs.addCounts(jobId, counts);
			this.jobs.addUsage(jobId, usage);
			if (this.chunks.open(jobId) === 0) this.end(jobId, (now) => this.jobs.complete(jobId, now));
		});
		await this.advance();
	}

	async failJob(jobId: string, message: string): Promise<void> {
		this.end(jobId, (now) => this.jobs.fail(jobId, message, now));
		await this.advance();
	}

	/** The webhook took the job's event (or there is none): the outbox forgets it. */
	async jobEventDelivered(jobId: string): Promise<void> {
		this.outbox.remove(jobId);
		await this.arm(Date.now());
	}

	/** The webhook refused the job's event: the outbox sends it again after a backoff. */
	async jobEventFailed(jobId: string, error: string): Promise<void> {
		this.outbox.failed(jobId, Date.now(), error);
		await this.arm(Date.now());
	}

	/** Jobs that ended before `cutoff`, oldest first; retention deletes their files and rows, then forgets them. */
	expiredJobs(cutoff: string, limit: number): string[] {
		return this.jobs.expired(cutoff, limit);
	}

	/** The last step of retention: the jobs answer 404 from here on. */
	forgetJobs(ids: string[]): void {
		this.ctx.storage.transactionSync(() => {
			for (const id of ids) {
				this.jobs.forget(id);
				this.chunks.remove(id);
				this.outbox.remove(id);
			}
		});
	}

	async alarm(): Promise<void> {
		await this.advance();
	}

	private submit(spec: JobSpec): void {
		this.ctx.storage.transactionSync(() => {
			if (this.jobs.submit(spec, Date.now()))
				this.chunks.add(spec.id, spec.chunks, spec.options.sync === "full" ? "deactivate" : undefined);
		});
	}

	/** A job's end, with what follows from it, in one transaction; false when it had ended already. */
	private end(jobId: string, transition: (now: number) => boolean): boolean {
		return this.ctx.storage.transactionSync(() => {
			if (!transition(Date.now())) return false;
			this.chunks.abandon(jobId);
			this.outbox.record(jobId);
			return true;
		});
	}

	/** The running job, after starting the oldest pending one if none runs; empty jobs complete at once. */
	private running(now: number): RunningJob | undefined {
		for (;;) {
			const running = this.jobs.running();
			if (running) return running;
			const next = this.jobs.next();
			if (!next) return undefined;
			this.jobs.start(next, now);
			if (this.chunks.open(next) === 0) this.end(next, (at) => this.jobs.complete(next, at));
		}
	}

	/**
	 * Moves the queue on: starts the next job, sends the running job's chunks, announces ended jobs.
	 * The alarm is armed before anything is sent, so a send that fails or never returns is retried.
	 */
	private async advance(): Promise<void> {
		for (;;) {
			const now = Date.now();
			const running = this.running(now);
			const messages = running ? this.chunks.take(running, now) : [];
			const events = this.outbox.take(now).flatMap((id) => this.event(id));
			await this.arm(now);
			await this.outbox.send(events, now);
			const stuck = running && messages.length > 0 ? await this.chunks.send(running, messages, now) : undefined;
			if (!running || !stuck) break;
			// The job cannot go on; the next one may.
			this.end(running.id, (at) => this.jobs.fail(running.id, stuck, at));
		}
		await this.arm(Date.now());
	}

	/** The event for an ended job; one whose job is gone has nothing left to say. */
	private event(jobId: string): JobEvent[] {
		const job = this.jobs.get(jobId);
		const spec = this.jobs.spec(jobId);
		if (job && spec) return [{ kind: "job", tenantId: spec.tenantId, job }];
		this.outbox.remove(jobId);
		return [];
	}

	/** The one alarm, at the earliest time a part needs it. */
	private async arm(now: number): Promise<void> {
		const running = this.jobs.running();
		const times = [running && this.chunks.nextWakeAt(running, now), this.outbox.nextWakeAt()].filter(
			(t): t is number => t !== undefined,
		);
		if (times.length === 0) await this.ctx.storage.deleteAlarm();
		else await this.ctx.storage.setAlarm(Math.min(...times));
	}
}
