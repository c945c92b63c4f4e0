import type { ErrorCode } from "../errors";
import { type Counts, ENDED_STATUSES, type Job, type JobSpec, type JobStatus } from "../schemas/jobs";
import type { ChunkMessage } from "../schemas/messages";
import type { TenantLimits } from "../schemas/tenants";
import { type BucketState, take } from "./bucket";

/** Chunks of the running job that may sit in the queue at once: small, so one tenant's huge job
 * never floods the shared queue, a cancel stops within a few chunks, and pacing has a handle. */
export const WINDOW = 8;
/** A queued chunk that has not reported after this long is sent again (its writes are idempotent). */
export const STALL_MS = 120_000;

type JobRow = {
	id: string;
	seq: number;
	type: string;
	description: string;
	status: JobStatus;
	spec: string;
	created_at: string;
	started_at: string | null;
	completed_at: string | null;
	error_message: string | null;
	total: number;
	created: number;
	updated: number;
	skipped: number;
	failed: number;
};

/** Errors do not keep their class across RPC, so refusals travel as values. */
export type Refusal = { refused: { code: ErrorCode; message: string } };

export const BUSY: Refusal = {
	refused: { code: "JOB_IN_PROGRESS", message: "This tenant already has a job pending or running" },
};

export function migrate(sql: SqlStorage) {
	sql.exec(`CREATE TABLE IF NOT EXISTS jobs (
		id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, type TEXT NOT NULL, description TEXT NOT NULL,
		status TEXT NOT NULL, spec TEXT NOT NULL, created_at TEXT NOT NULL, started_at TEXT, completed_at TEXT,
		error_message TEXT, total INTEGER NOT NULL, created INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0,
		skipped INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0)`);
	sql.exec("CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, seq)");
	sql.exec(`CREATE TABLE IF NOT EXISTS chunks (
		job_id TEXT NOT NULL, idx INTEGER NOT NULL, first_line INTEGER NOT NULL,
		state TEXT NOT NULL, sent_at INTEGER, PRIMARY KEY (job_id, idx))`);
	sql.exec("CREATE TABLE IF NOT EXISTS announced (job_id TEXT PRIMARY KEY)");
	sql.exec("CREATE TABLE IF NOT EXISTS settings (id INTEGER PRIMARY KEY CHECK (id = 1), limits TEXT NOT NULL)");
	sql.exec(
		"CREATE TABLE IF NOT EXISTS pace (id INTEGER PRIMARY KEY CHECK (id = 1), tokens REAL NOT NULL, updated_at INTEGER NOT NULL)",
	);
	const columns = sql.exec<{ name: string }>("PRAGMA table_info(chunks)").toArray();
	if (!columns.some((c) => c.name === "records"))
		sql.exec("ALTER TABLE chunks ADD COLUMN records INTEGER NOT NULL DEFAULT 0");
}

export function jobView(row: JobRow, position: number | undefined, now = Date.now()): Job {
	const spec = JSON.parse(row.spec) as JobSpec;
	const processed = row.created + row.updated + row.skipped + row.failed;
	const started = row.started_at ? Date.parse(row.started_at) : undefined;
	const ended = row.completed_at ? Date.parse(row.completed_at) : now;
	const seconds = started !== undefined ? Math.max(0.001, (ended - started) / 1000) : 0;
	const rate = seconds > 0 ? processed / seconds : 0;
	const done = ENDED_STATUSES.includes(row.status);
	return {
		id: row.id,
		type: row.type,
		description: row.description,
		status: row.status,
		createdAt: row.created_at,
		startedAt: row.started_at,
		completedAt: row.completed_at,
		errorMessage: row.error_message,
		repeatable: row.failed > 0,
		dryRun: spec.options.dryRun,
		...(position !== undefined ? { position } : {}),
		counts: {
			total: row.total,
			processed,
			created: row.created,
			updated: row.updated,
			skipped: row.skipped,
			failed: row.failed,
		},
		progress: row.total === 0 ? (done ? 1 : 0) : Math.min(1, processed / row.total),
		recordsPerSecond: Math.round(rate),
		etaSeconds: done ? 0 : rate > 0 ? Math.ceil((row.total - processed) / rate) : null,
		links: { self: `/v1/jobs/${row.id}`, errors: `/v1/jobs/${row.id}/errors` },
	};
}

/**
 * The tenant's job queue in the object's SQLite storage. Every transition is a synchronous run of
 * SQL with no await inside, so interleaved requests cannot both start a job or send a chunk twice.
 */
export class JobQueue {
	constructor(
		private readonly sql: SqlStorage,
		private readonly send: (messages: ChunkMessage[]) => Promise<void>,
	) {}

	private row(id: string): JobRow | undefined {
		return this.sql.exec<JobRow>("SELECT * FROM jobs WHERE id = ?", id).toArray()[0];
	}

	private position(row: JobRow): number | undefined {
		if (row.status !== "pending") return undefined;
		return this.sql
			.exec<{ n: number }>("SELECT count(*) AS n FROM jobs WHERE status = 'pending' AND seq <= ?", row.seq)
			.one().n;
	}

	spec(id: string): JobSpec | undefined {
		const row = this.row(id);
		return row && (JSON.parse(row.spec) as JobSpec);
	}

	get(id: string): Job | undefined {
		const row = this.row(id);
		return row && jobView(row, this.position(row));
	}

	list(
		status: JobStatus | undefined,
		beforeSeq: number | undefined,
		limit: number,
	): { jobs: Job[]; nextSeq: number | null } {
		const rows = this.sql
			.exec<JobRow>(
				"SELECT * FROM jobs WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR seq < ?2) ORDER BY seq DESC LIMIT ?3",
				status ?? null,
				beforeSeq ?? null,
				limit + 1,
			)
			.toArray();
		const page = rows.slice(0, limit);
		return {
			jobs: page.map((r) => jobView(r, this.position(r))),
			nextSeq: rows.length > limit ? page[page.length - 1]!.seq : null,
		};
	}

	busy(): boolean {
		return this.sql.exec("SELECT 1 FROM jobs WHERE status IN ('pending', 'processing') LIMIT 1").toArray().length > 0;
	}

	submit(spec: JobSpec, ifBusy: "queue" | "reject"): Refusal | undefined {
		if (this.row(spec.id)) return;
		if (ifBusy === "reject" && this.busy()) {
			return BUSY;
		}
		const seq = this.sql.exec<{ s: number }>("SELECT coalesce(max(seq), 0) + 1 AS s FROM jobs").one().s;
		this.sql.exec(
			"INSERT INTO jobs (id, seq, type, description, status, spec, created_at, total) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)",
			spec.id,
			seq,
			spec.type,
			spec.description,
			JSON.stringify({ ...spec, chunks: [] }),
			new Date().toISOString(),
			spec.total,
		);
		for (const [idx, c] of spec.chunks.entries()) {
			this.sql.exec(
				"INSERT INTO chunks (job_id, idx, first_line, records, state) VALUES (?, ?, ?, ?, 'waiting')",
				spec.id,
				idx,
				c.firstLine,
				c.records,
			);
		}
	}

	/** Records a chunk's counts once, however often it is reported. */
	chunkDone(jobId: string, idx: number, counts: Counts): void {
		const changed = this.sql.exec(
			"UPDATE chunks SET state = 'done' WHERE job_id = ? AND idx = ? AND state != 'done'",
			jobId,
			idx,
		).rowsWritten;
		if (changed === 0) return;
		this.sql.exec(
			"UPDATE jobs SET created = created + ?, updated = updated + ?, skipped = skipped + ?, failed = failed + ? WHERE id = ?",
			counts.created,
			counts.updated,
			counts.skipped,
			counts.failed,
			jobId,
		);
		const open = this.sql
			.exec<{ n: number }>("SELECT count(*) AS n FROM chunks WHERE job_id = ? AND state != 'done'", jobId)
			.one().n;
		if (open === 0) this.finish(jobId, "completed", null);
	}

	finish(jobId: string, status: "completed" | "failed" | "cancelled", message: string | null): boolean {
		const changed = this.sql.exec(
			"UPDATE jobs SET status = ?, error_message = ?, completed_at = ? WHERE id = ? AND status IN ('pending', 'processing')",
			status,
			message,
			new Date().toISOString(),
			jobId,
		).rowsWritten;
		if (changed > 0) this.sql.exec("UPDATE chunks SET state = 'done' WHERE job_id = ? AND state = 'waiting'", jobId);
		return changed > 0;
	}

	cancel(jobId: string): Refusal | undefined {
		const job = this.get(jobId);
		if (!job) return { refused: { code: "NOT_FOUND", message: `Job ${jobId} not found` } };
		if (!this.finish(jobId, "cancelled", null)) {
			return {
				refused: {
					code: "CONFLICT",
					message: `Job ${jobId} is already ${job.status}; only pending or processing jobs can be cancelled`,
				},
			};
		}
	}

	/**
	 * Starts the oldest pending job when none runs and tops up the running job's chunks in the
	 * queue to WINDOW (as pacing allows), re-sending chunks that stalled. Says whether a job runs
	 * and when pacing lets the next chunk go.
	 */
	async pump(now = Date.now()): Promise<{ running: boolean; wakeAt?: number }> {
		let running = this.sql.exec<JobRow>("SELECT * FROM jobs WHERE status = 'processing' LIMIT 1").toArray()[0];
		while (!running) {
			const next = this.sql
				.exec<JobRow>("SELECT * FROM jobs WHERE status = 'pending' ORDER BY seq LIMIT 1")
				.toArray()[0];
			if (!next) return { running: false };
			this.sql.exec(
				"UPDATE jobs SET status = 'processing', started_at = ? WHERE id = ?",
				new Date(now).toISOString(),
				next.id,
			);
			const chunks = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM chunks WHERE job_id = ?", next.id).one().n;
			if (chunks === 0) this.finish(next.id, "completed", null);
			else running = { ...next, status: "processing" };
		}
		const stalled = this.sql
			.exec<{ idx: number; first_line: number }>(
				"UPDATE chunks SET sent_at = ? WHERE job_id = ? AND state = 'queued' AND sent_at < ? RETURNING idx, first_line",
				now,
				running.id,
				now - STALL_MS,
			)
			.toArray();
		const inFlight = this.sql
			.exec<{ n: number }>("SELECT count(*) AS n FROM chunks WHERE job_id = ? AND state = 'queued'", running.id)
			.one().n;
		const waiting = this.sql
			.exec<{ idx: number; first_line: number; records: number }>(
				"SELECT idx, first_line, records FROM chunks WHERE job_id = ? AND state = 'waiting' ORDER BY idx LIMIT ?",
				running.id,
				Math.max(0, WINDOW - inFlight),
			)
			.toArray();
		const { send: fresh, wakeAt } = this.paced(waiting, now);
		for (const c of fresh)
			this.sql.exec(
				"UPDATE chunks SET state = 'queued', sent_at = ? WHERE job_id = ? AND idx = ?",
				now,
				running.id,
				c.idx,
			);
		const spec = JSON.parse(running.spec) as JobSpec;
		const messages = [...stalled, ...fresh].map(
			(c): ChunkMessage => ({
				tenantId: spec.tenantId,
				jobId: running.id,
				chunk: c.idx,
				firstLine: c.first_line,
				recordType: spec.recordType,
				format: spec.format,
				origin: spec.origin,
				options: spec.options,
				overrides: spec.overrides,
			}),
		);
		if (messages.length > 0) await this.send(messages);
		return { running: true, wakeAt };
	}

	/** New limits apply to the next chunks sent. */
	setLimits(limits: TenantLimits): void {
		const text = JSON.stringify(limits);
		this.sql.exec(
			"INSERT INTO settings (id, limits) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET limits = excluded.limits WHERE limits != excluded.limits",
			text,
		);
	}

	/**
	 * `recordsPerMinute` pacing: chunks go out while the records bucket (one minute deep) covers
	 * them; the first that does not waits, and `wakeAt` says when it will be covered.
	 */
	private paced<C extends { records: number }>(chunks: C[], now: number): { send: C[]; wakeAt?: number } {
		const settings = this.sql.exec<{ limits: string }>("SELECT limits FROM settings").toArray()[0];
		const perMinute = settings ? (JSON.parse(settings.limits) as TenantLimits).recordsPerMinute : undefined;
		if (!perMinute) return { send: chunks };
		const row = this.sql
			.exec<{ tokens: number; updated_at: number }>("SELECT tokens, updated_at FROM pace")
			.toArray()[0];
		let state: BucketState | undefined = row && { tokens: row.tokens, updatedAt: row.updated_at };
		const send: C[] = [];
		let wakeAt: number | undefined;
		for (const chunk of chunks) {
			const result = take(state, perMinute, perMinute, now, Math.min(chunk.records, perMinute));
			state = result.state;
			if (!result.allowed) {
				wakeAt = now + Math.ceil(result.waitMs);
				break;
			}
			send.push(chunk);
		}
		if (state) {
			this.sql.exec(
				"INSERT INTO pace (id, tokens, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at",
				state.tokens,
				state.updatedAt,
			);
		}
		return { send, wakeAt };
	}

	/** Ended jobs not yet announced to the tenant's webhook, marked announced as they are taken. */
	takeEnded(): { tenantId: string; job: Job }[] {
		return this.sql
			.exec<JobRow>(
				`INSERT INTO announced (job_id) SELECT id FROM jobs WHERE status IN ('completed', 'failed', 'cancelled')
					AND id NOT IN (SELECT job_id FROM announced) RETURNING job_id AS id`,
			)
			.toArray()
			.map((r) => ({ tenantId: this.spec(r.id)!.tenantId, job: this.get(r.id)! }));
	}

	unannounce(jobIds: string[]): void {
		for (const id of jobIds) this.sql.exec("DELETE FROM announced WHERE job_id = ?", id);
	}

	/** Jobs that ended before `cutoff`, removed here and returned so their files can go too. */
	purge(cutoff: string): string[] {
		const ids = this.sql
			.exec<{ id: string }>("DELETE FROM jobs WHERE completed_at IS NOT NULL AND completed_at < ? RETURNING id", cutoff)
			.toArray()
			.map((r) => r.id);
		for (const id of ids) {
			this.sql.exec("DELETE FROM chunks WHERE job_id = ?", id);
			this.sql.exec("DELETE FROM announced WHERE job_id = ?", id);
		}
		return ids;
	}
}
