import type { ChunkMessage } from "../schemas/messages";
import { backoff } from "./backoff";
import type { RunningJob } from "./jobs";
import type { Pace } from "./pace";
import { ABANDONED, type ChunkStep, DONE, QUEUED, WAITING } from "./states";

/** Chunks of the running job that may sit in the queue at once: small, so one tenant's huge job
 * never floods the shared queue, a cancel stops within a few chunks, and pacing has a handle. */
const WINDOW = 8;
/**
 * Chunks are sent again when their job stops making progress: a queued chunk falls due a few times
 * the recent median gap between the job's chunk reports after the last report (within
 * STALL_MIN_MS..STALL_MS), and never later than STALL_MS after it was sent. Gaps, not send-to-report
 * times: with WINDOW chunks in a busy queue, a chunk's wait grows with the queue while reports keep
 * coming, so a slow queue never looks stalled, and a crash that loses every message in flight is
 * noticed within seconds of the reports stopping. Writes are idempotent, so a chunk that was only
 * slow costs a duplicate read.
 */
export const STALL_MS = 120_000;
export const STALL_MIN_MS = 15_000;
const STALL_FACTOR = 4;
const STALL_SAMPLE = 20;
/** A job whose chunks could not be handed to the queue for this long ends failed. */
export const GIVE_UP_MS = 5 * 60_000;

/** What chunk dispatch needs from the object. */
export type DispatchHost = {
	sql: SqlStorage;
	pace: Pace;
	send(messages: ChunkMessage[]): Promise<void>;
};

/**
 * The chunks of the tenant's jobs and their sending; owns the `chunks` table. State changes are
 * synchronous SQL with no await inside, so interleaved calls cannot send a chunk twice.
 */
export class Dispatch {
	constructor(private readonly host: DispatchHost) {}

	private get sql() {
		return this.host.sql;
	}

	/**
	 * -> waiting, one row per chunk of a submitted job, and one more after them for a last `step`,
	 * which is sent only once every other chunk of its job has reported.
	 */
	add(jobId: string, chunks: { firstLine: number; records: number }[], step?: ChunkStep): void {
		const rows = [...chunks.map((c) => ({ ...c, step: null })), ...(step ? [{ firstLine: 0, records: 0, step }] : [])];
		for (const [idx, c] of rows.entries()) {
			this.sql.exec(
				"INSERT INTO chunks (job_id, idx, first_line, records, state, step) VALUES (?, ?, ?, ?, ?, ?)",
				jobId,
				idx,
				c.firstLine,
				c.records,
				WAITING,
				c.step,
			);
		}
	}

	/**
	 * waiting | queued | abandoned -> done. True the first time only, so a chunk is counted once. The
	 * report is progress: the job's other queued chunks fall due one timeout from now.
	 */
	complete(jobId: string, idx: number, now: number): boolean {
		const first =
			this.sql.exec(
				"UPDATE chunks SET state = ?, done_at = ? WHERE job_id = ? AND idx = ? AND state != ?",
				DONE,
				now,
				jobId,
				idx,
				DONE,
			).rowsWritten > 0;
		if (first) {
			this.sql.exec(
				`UPDATE chunks SET due_at = min(sent_at + ?1, ?2)
				WHERE job_id = ?3 AND state = ?4 AND unsent_since IS NULL`,
				STALL_MS,
				now + this.stallTimeout(),
				jobId,
				QUEUED,
			);
		}
		return first;
	}

	/** How long a job's queued chunks may go without a report from it before they are sent again. */
	stallTimeout(): number {
		const reports = this.sql
			.exec<{ job_id: string; sent_at: number | null; done_at: number }>(
				"SELECT job_id, sent_at, done_at FROM chunks WHERE done_at IS NOT NULL ORDER BY done_at DESC LIMIT ?",
				STALL_SAMPLE + 1,
			)
			.toArray();
		const gaps = reports
			.slice(1)
			.flatMap((r, i) => (r.job_id === reports[i]!.job_id ? [reports[i]!.done_at - r.done_at] : []));
		// A job's first report has no gap before it: its own time from send to report stands in.
		const latest = reports[0];
		const first = latest?.sent_at == null ? [] : [latest.done_at - latest.sent_at];
		const times = (gaps.length > 0 ? gaps : first).sort((a, b) => a - b);
		if (times.length === 0) return STALL_MS;
		const median = times[Math.floor(times.length / 2)]!;
		return Math.min(STALL_MS, Math.max(STALL_MIN_MS, STALL_FACTOR * median));
	}

	/** waiting -> abandoned: the job ended, and what was never sent never will be. */
	abandon(jobId: string): void {
		this.sql.exec("UPDATE chunks SET state = ? WHERE job_id = ? AND state = ?", ABANDONED, jobId, WAITING);
	}

	/** Chunks still to send or to report. */
	open(jobId: string): number {
		return this.sql
			.exec<{ n: number }>(
				"SELECT count(*) AS n FROM chunks WHERE job_id = ? AND state IN (?, ?)",
				jobId,
				WAITING,
				QUEUED,
			)
			.one().n;
	}

	/** Chunks of any job sent to the queue and not yet reported: writes that may still land. */
	inFlight(): number {
		return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM chunks WHERE state = ?", QUEUED).one().n;
	}

	/** A job's chunks in order, as it was submitted with them: what a commit or an undo of it runs over. */
	list(jobId: string): { firstLine: number; records: number }[] {
		return this.sql
			.exec<{ firstLine: number; records: number }>(
				"SELECT first_line AS firstLine, records FROM chunks WHERE job_id = ? ORDER BY idx",
				jobId,
			)
			.toArray();
	}

	remove(jobId: string): void {
		this.sql.exec("DELETE FROM chunks WHERE job_id = ?", jobId);
	}

	/**
	 * What goes out now, marked as sent: queued chunks that are due again (stalled, or their send
	 * failed) and, unless `fresh` is false (a move holds the jobs), fresh ones, topping the running job
	 * up to WINDOW in the queue as pacing allows.
	 */
	take(job: RunningJob, now: number, fresh = true): ChunkMessage[] {
		const dueAt = now + this.stallTimeout();
		const due = this.sql
			.exec<Taken>(
				"UPDATE chunks SET sent_at = ?1, due_at = ?2 WHERE job_id = ?3 AND state = ?4 AND due_at <= ?1 RETURNING idx, first_line, step",
				now,
				dueAt,
				job.id,
				QUEUED,
			)
			.toArray();
		const admitted = fresh ? this.host.pace.admit(this.waiting(job.id), now) : [];
		for (const c of admitted) this.queue(job.id, c.idx, now, dueAt);
		return [...due, ...admitted].map((c) => chunkMessage(job, c));
	}

	/**
	 * Hands taken chunks to the queue. A failed send makes them due again after a backoff; once
	 * sends have failed for GIVE_UP_MS, the answer is why the job cannot go on.
	 */
	async send(job: RunningJob, messages: ChunkMessage[], now: number): Promise<string | undefined> {
		const idxs = JSON.stringify(messages.map((m) => m.chunk));
		const these = "job_id = ? AND idx IN (SELECT value FROM json_each(?))";
		try {
			await this.host.send(messages);
			this.sql.exec(`UPDATE chunks SET unsent_since = NULL WHERE ${these}`, job.id, idxs);
			return undefined;
		} catch (error) {
			const since = this.sql
				.exec<{ since: number }>(
					`UPDATE chunks SET unsent_since = coalesce(unsent_since, ?) WHERE ${these} RETURNING unsent_since AS since`,
					now,
					job.id,
					idxs,
				)
				.toArray()
				.reduce((min, r) => Math.min(min, r.since), now);
			if (now - since >= GIVE_UP_MS) {
				return `Its records could not be queued for processing for ${GIVE_UP_MS / 60_000} minutes (${String(error)})`;
			}
			this.sql.exec(`UPDATE chunks SET due_at = ? WHERE ${these}`, now + backoff(now - since, 60_000), job.id, idxs);
			return undefined;
		}
	}

	/** When the running job next needs the alarm: a queued chunk falls due, or pacing lets one go. */
	nextWakeAt(job: RunningJob, now: number, fresh = true): number | undefined {
		const due = this.sql
			.exec<{ at: number | null }>(
				"SELECT min(due_at) AS at FROM chunks WHERE job_id = ? AND state = ?",
				job.id,
				QUEUED,
			)
			.one().at;
		const [next] = fresh ? this.waiting(job.id) : [];
		const paced = next && this.host.pace.readyAt(next.records, now);
		const times = [due, paced].filter((t): t is number => typeof t === "number");
		return times.length > 0 ? Math.min(...times) : undefined;
	}

	/** The waiting chunks that fit in the queue beside those in flight; a last step waits for the others to report. */
	private waiting(jobId: string) {
		const inFlight = this.sql
			.exec<{ n: number }>("SELECT count(*) AS n FROM chunks WHERE job_id = ? AND state = ?", jobId, QUEUED)
			.one().n;
		return this.sql
			.exec<Taken & { records: number }>(
				`SELECT idx, first_line, records, step FROM chunks WHERE job_id = ?1 AND state = ?2 AND (step IS NULL OR NOT EXISTS
					(SELECT 1 FROM chunks c WHERE c.job_id = ?1 AND c.step IS NULL AND c.state IN (?2, ?3))) ORDER BY idx LIMIT ?4`,
				jobId,
				WAITING,
				QUEUED,
				Math.max(0, WINDOW - inFlight),
			)
			.toArray();
	}

	/** waiting -> queued. */
	private queue(jobId: string, idx: number, now: number, dueAt: number): void {
		this.sql.exec(
			"UPDATE chunks SET state = ?, sent_at = ?, due_at = ? WHERE job_id = ? AND idx = ?",
			QUEUED,
			now,
			dueAt,
			jobId,
			idx,
		);
	}
}

type Taken = { idx: number; first_line: number; step: ChunkStep | null };

function chunkMessage({ id, spec }: RunningJob, { idx, first_line, step }: Taken): ChunkMessage {
	return {
		tenantId: spec.tenantId,
		jobId: id,
		chunk: idx,
		firstLine: first_line,
		// A chunk's own step (a last step) before its job's (an export's pages).
		...(step ? { step } : spec.step ? { step: spec.step } : {}),
		recordType: spec.recordType,
		format: spec.format,
		origin: spec.origin,
		options: spec.options,
		overrides: spec.overrides,
		commitOf: spec.commitOf,
		undoOf: spec.undoOf,
	};
}
