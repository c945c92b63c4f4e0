import type { ChunkMessage } from "../schemas/messages";
import type { RunningJob } from "./jobs";
import type { Pace } from "./pace";
import { ABANDONED, DONE, QUEUED, WAITING } from "./states";

/** Chunks of the running job that may sit in the queue at once: small, so one tenant's huge job
 * never floods the shared queue, a cancel stops within a few chunks, and pacing has a handle. */
const WINDOW = 8;
/** A queued chunk that has not reported after this long is sent again (its writes are idempotent). */
export const STALL_MS = 120_000;

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

	/** -> waiting, one row per chunk of a submitted job. */
	add(jobId: string, chunks: { firstLine: number; records: number }[]): void {
		for (const [idx, c] of chunks.entries()) {
			this.sql.exec(
				"INSERT INTO chunks (job_id, idx, first_line, records, state) VALUES (?, ?, ?, ?, ?)",
				jobId,
				idx,
				c.firstLine,
				c.records,
				WAITING,
			);
		}
	}

	/** waiting | queued | abandoned -> done. True the first time only, so a chunk is counted once. */
	complete(jobId: string, idx: number): boolean {
		return (
			this.sql.exec("UPDATE chunks SET state = ? WHERE job_id = ? AND idx = ? AND state != ?", DONE, jobId, idx, DONE)
				.rowsWritten > 0
		);
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

	remove(jobId: string): void {
		this.sql.exec("DELETE FROM chunks WHERE job_id = ?", jobId);
	}

	/**
	 * Tops the running job's chunks in the queue up to WINDOW (as pacing allows) and sends stalled
	 * ones again. `wakeAt` is when pacing lets the next chunk go.
	 */
	async pump(job: RunningJob, now: number): Promise<{ wakeAt?: number }> {
		const stalled = this.sql
			.exec<{ idx: number; first_line: number }>(
				"UPDATE chunks SET sent_at = ? WHERE job_id = ? AND state = ? AND sent_at < ? RETURNING idx, first_line",
				now,
				job.id,
				QUEUED,
				now - STALL_MS,
			)
			.toArray();
		const inFlight = this.sql
			.exec<{ n: number }>("SELECT count(*) AS n FROM chunks WHERE job_id = ? AND state = ?", job.id, QUEUED)
			.one().n;
		const waiting = this.sql
			.exec<{ idx: number; first_line: number; records: number }>(
				"SELECT idx, first_line, records FROM chunks WHERE job_id = ? AND state = ? ORDER BY idx LIMIT ?",
				job.id,
				WAITING,
				Math.max(0, WINDOW - inFlight),
			)
			.toArray();
		const { send: fresh, wakeAt } = this.host.pace.admit(waiting, now);
		for (const c of fresh) this.send(job.id, c.idx, now);
		const messages = [...stalled, ...fresh].map((c) => chunkMessage(job, c.idx, c.first_line));
		if (messages.length > 0) await this.host.send(messages);
		return { wakeAt };
	}

	/** waiting -> queued. */
	private send(jobId: string, idx: number, now: number): void {
		this.sql.exec("UPDATE chunks SET state = ?, sent_at = ? WHERE job_id = ? AND idx = ?", QUEUED, now, jobId, idx);
	}
}

function chunkMessage({ id, spec }: RunningJob, chunk: number, firstLine: number): ChunkMessage {
	return {
		tenantId: spec.tenantId,
		jobId: id,
		chunk,
		firstLine,
		recordType: spec.recordType,
		format: spec.format,
		origin: spec.origin,
		options: spec.options,
		columns: spec.columns,
		assign: spec.assign,
		overrides: spec.overrides,
	};
}
