import { DurableObject } from "cloudflare:workers";
import { ApiError } from "../errors";
import type { Counts, Job, JobSpec, JobStatus } from "../schemas/jobs";
import type { NotifyMessage } from "../schemas/messages";
import type { TenantLimits } from "../schemas/tenants";
import { type BucketState, type RateDecision, takeToken } from "./bucket";
import { JobQueue, migrate, type Refusal, STALL_MS } from "./job-queue";

/**
 * One object per tenant, addressed by tenant id. It owns what must be serialized per tenant: the
 * request token bucket, and the job queue with its progress. All state lives in the object's
 * SQLite storage and an alarm watches the running job, so eviction or a restart loses nothing.
 */
export class TenantObject extends DurableObject<Env> {
	private readonly sql: SqlStorage;
	private readonly jobs: JobQueue;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		this.sql.exec(
			"CREATE TABLE IF NOT EXISTS bucket (id INTEGER PRIMARY KEY CHECK (id = 1), tokens REAL NOT NULL, updated_at INTEGER NOT NULL)",
		);
		migrate(this.sql);
		this.jobs = new JobQueue(this.sql, async (messages) => {
			for (let i = 0; i < messages.length; i += 100) {
				await env.CHUNKS.sendBatch(messages.slice(i, i + 100).map((body) => ({ body, contentType: "json" })));
			}
		});
	}

	/** Synchronous from read to write, so concurrent requests cannot interleave inside it. */
	takeRequestToken(limits: TenantLimits, now = Date.now()): RateDecision {
		const row = this.sql
			.exec<{ tokens: number; updated_at: number }>("SELECT tokens, updated_at FROM bucket")
			.toArray()[0];
		const current: BucketState | undefined = row && { tokens: row.tokens, updatedAt: row.updated_at };
		const { state, decision } = takeToken(current, limits, now);
		this.jobs.setLimits(limits);
		this.sql.exec(
			"INSERT INTO bucket (id, tokens, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at",
			state.tokens,
			state.updatedAt,
		);
		return decision;
	}

	/** New limits apply from the next request; a lowered burst caps the tokens already held. */
	applyLimits(limits: TenantLimits): void {
		if (limits.burst !== undefined) this.sql.exec("UPDATE bucket SET tokens = MIN(tokens, ?)", limits.burst);
		this.jobs.setLimits(limits);
	}

	isBusy(): boolean {
		return this.jobs.busy();
	}

	async submitJob(spec: JobSpec, ifBusy: "queue" | "reject"): Promise<Job | Refusal> {
		const refusal = this.jobs.submit(spec, ifBusy);
		if (refusal) return refusal;
		await this.advance();
		return this.jobs.get(spec.id)!;
	}

	async recordFailedJob(spec: JobSpec, message: string): Promise<Job> {
		this.jobs.submit(spec, "queue");
		this.jobs.finish(spec.id, "failed", message);
		await this.advance();
		return this.jobs.get(spec.id)!;
	}

	getJob(id: string): Job | undefined {
		return this.jobs.get(id);
	}

	getJobSpec(id: string): JobSpec | undefined {
		return this.jobs.spec(id);
	}

	listJobs(status: JobStatus | undefined, beforeSeq: number | undefined, limit: number) {
		return this.jobs.list(status, beforeSeq, limit);
	}

	async cancelJob(id: string): Promise<Job | Refusal> {
		const refusal = this.jobs.cancel(id);
		if (refusal) return refusal;
		await this.advance();
		return this.jobs.get(id)!;
	}

	async chunkDone(jobId: string, chunk: number, counts: Counts): Promise<void> {
		this.jobs.chunkDone(jobId, chunk, counts);
		await this.advance();
	}

	async failJob(jobId: string, message: string): Promise<void> {
		this.jobs.finish(jobId, "failed", message);
		await this.advance();
	}

	purgeJobs(cutoff: string): string[] {
		return this.jobs.purge(cutoff);
	}

	async alarm(): Promise<void> {
		await this.advance();
	}

	/** Moves the queue on, announces ended jobs, and keeps a watchdog alarm while a job runs. */
	private async advance(): Promise<void> {
		const { running, wakeAt } = await this.jobs.pump();
		if (running) await this.ctx.storage.setAlarm(Math.min(Date.now() + STALL_MS, wakeAt ?? Infinity));
		else await this.ctx.storage.deleteAlarm();
		const ended = this.jobs.takeEnded();
		if (ended.length === 0) return;
		try {
			await this.env.NOTIFY.sendBatch(
				ended.map(({ tenantId, job }) => ({ body: { kind: "job", tenantId, job } satisfies NotifyMessage })),
			);
		} catch (error) {
			this.jobs.unannounce(ended.map((e) => e.job.id));
			throw error;
		}
	}
}

export function tenantObject(env: Env, tenantId: string): DurableObjectStub<TenantObject> {
	return env.TENANT.get(env.TENANT.idFromName(tenantId));
}

/** Turns a refusal from the tenant object back into the API error it stands for. */
export function orRefuse<T extends object>(result: T | Refusal): Exclude<T, Refusal> {
	if ("refused" in result) throw new ApiError(result.refused.code, result.refused.message);
	return result as Exclude<T, Refusal>;
}
