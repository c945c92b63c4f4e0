import { logEvent } from "../log";
import type { Counts, CreatedBy, JobSpec, JobStatus, ReportedCounts, Usage } from "../schemas/jobs";
import { CANCELLED, COMPLETED, FAILED, PENDING, PROCESSING } from "./states";

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
	unchanged: number;
	skipped: number;
	failed: number;
	d1_rows_read: number;
	d1_rows_written: number;
	r2_class_a: number;
	r2_class_b: number;
	queue_operations: number;
	deactivated: number;
};

/** A job as the tenant object stores it; the API's view (rates, progress, links) is built from it. */
export type JobRecord = {
	id: string;
	tenantId: string;
	createdBy: CreatedBy;
	baseUrl: string;
	type: string;
	description: string;
	status: JobStatus;
	createdAt: string;
	startedAt: string | null;
	completedAt: string | null;
	errorMessage: string | null;
	dryRun: boolean;
	commitOf?: string;
	undoOf?: string;
	/** Place in the tenant's FIFO, for pending jobs. */
	position?: number;
	counts: Counts & { total: number; deactivated: number };
	usage: Usage;
};

export type RunningJob = { id: string; spec: JobSpec };

/**
 * The tenant's jobs; owns the `jobs` table. Each transition is one guarded UPDATE (see states.ts)
 * and says whether it happened, so a repeated or late call changes nothing.
 */
export class Jobs {
	constructor(private readonly sql: SqlStorage) {}

	private row(id: string): JobRow | undefined {
		return this.sql.exec<JobRow>("SELECT * FROM jobs WHERE id = ?", id).toArray()[0];
	}

	private record(row: JobRow): JobRecord {
		const position =
			row.status === PENDING
				? this.sql
						.exec<{ n: number }>("SELECT count(*) AS n FROM jobs WHERE status = ? AND seq <= ?", PENDING, row.seq)
						.one().n
				: undefined;
		const spec = JSON.parse(row.spec) as JobSpec;
		return {
			id: row.id,
			tenantId: spec.tenantId,
			// Jobs stored before authors and origins were recorded.
			createdBy: spec.createdBy ?? { keyId: "unknown", keyName: "unknown" },
			baseUrl: spec.baseUrl ?? "",
			type: row.type,
			description: row.description,
			status: row.status,
			createdAt: row.created_at,
			startedAt: row.started_at,
			completedAt: row.completed_at,
			errorMessage: row.error_message,
			dryRun: spec.options.dryRun,
			...(spec.commitOf ? { commitOf: spec.commitOf } : {}),
			...(spec.undoOf ? { undoOf: spec.undoOf.job } : {}),
			...(position !== undefined ? { position } : {}),
			counts: {
				total: row.total,
				created: row.created,
				updated: row.updated,
				unchanged: row.unchanged,
				skipped: row.skipped,
				failed: row.failed,
				deactivated: row.deactivated,
			},
			usage: {
				d1RowsRead: row.d1_rows_read,
				d1RowsWritten: row.d1_rows_written,
				r2ClassA: row.r2_class_a,
				r2ClassB: row.r2_class_b,
				queueOperations: row.queue_operations,
			},
		};
	}

	get(id: string): JobRecord | undefined {
		const row = this.row(id);
		return row && this.record(row);
	}

	spec(id: string): JobSpec | undefined {
		const row = this.row(id);
		return row && (JSON.parse(row.spec) as JobSpec);
	}

	list(
		status: JobStatus | undefined,
		beforeSeq: number | undefined,
		limit: number,
	): { jobs: JobRecord[]; nextSeq: number | null } {
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
			jobs: page.map((r) => this.record(r)),
			nextSeq: rows.length > limit ? page[page.length - 1]!.seq : null,
		};
	}

	ids(): string[] {
		return this.sql
			.exec<{ id: string }>("SELECT id FROM jobs")
			.toArray()
			.map((r) => r.id);
	}

	/**
	 * A job relies on row ids that a move would change under it: a running export (its pages go by id),
	 * or an undo or commit, running or pending (before-images and fingerprints name rows by id).
	 */
	idBound(): boolean {
		return (
			this.sql
				.exec(
					`SELECT 1 FROM jobs WHERE (status = ?1 AND (type LIKE '%.export' OR spec ->> '$.undoOf' IS NOT NULL OR spec ->> '$.commitOf' IS NOT NULL))
					OR (status = ?2 AND (spec ->> '$.undoOf' IS NOT NULL OR spec ->> '$.commitOf' IS NOT NULL)) LIMIT 1`,
					PROCESSING,
					PENDING,
				)
				.toArray().length > 0
		);
	}

	busy(): boolean {
		return this.sql.exec("SELECT 1 FROM jobs WHERE status IN (?, ?) LIMIT 1", PENDING, PROCESSING).toArray().length > 0;
	}

	running(): RunningJob | undefined {
		const row = this.sql.exec<JobRow>("SELECT * FROM jobs WHERE status = ? LIMIT 1", PROCESSING).toArray()[0];
		return row && { id: row.id, spec: JSON.parse(row.spec) as JobSpec };
	}

	/** The oldest pending job: the next to start. */
	next(): string | undefined {
		return this.sql
			.exec<{ id: string }>("SELECT id FROM jobs WHERE status = ? ORDER BY seq LIMIT 1", PENDING)
			.toArray()[0]?.id;
	}

	/** -> pending, at the end of the tenant's FIFO; a job submitted twice stays as it is. */
	submit(spec: JobSpec, now: number): boolean {
		if (this.row(spec.id)) return false;
		const seq = this.sql.exec<{ s: number }>("SELECT coalesce(max(seq), 0) + 1 AS s FROM jobs").one().s;
		this.sql.exec(
			"INSERT INTO jobs (id, seq, type, description, status, spec, created_at, total) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			spec.id,
			seq,
			spec.type,
			spec.description,
			PENDING,
			JSON.stringify({ ...spec, chunks: [], usage: undefined }),
			new Date(now).toISOString(),
			spec.total,
		);
		if (spec.usage) this.addUsage(spec.id, spec.usage);
		logEvent("job", { job: spec.id, tenant: spec.tenantId, from: null, to: PENDING, total: spec.total });
		return true;
	}

	/** pending -> processing. */
	start(id: string, now: number): boolean {
		return this.transition(id, PROCESSING, () =>
			this.sql.exec(
				"UPDATE jobs SET status = ?, started_at = ? WHERE id = ? AND status = ?",
				PROCESSING,
				new Date(now).toISOString(),
				id,
				PENDING,
			),
		);
	}

	/** processing -> completed: every chunk reported. */
	complete(id: string, now: number): boolean {
		return this.end(id, COMPLETED, null, now, [PROCESSING]);
	}

	/** pending | processing -> failed: the job itself could not finish, and `message` says why. */
	fail(id: string, message: string, now: number): boolean {
		return this.end(id, FAILED, message, now, [PENDING, PROCESSING]);
	}

	/** pending | processing -> cancelled. */
	cancel(id: string, now: number): boolean {
		return this.end(id, CANCELLED, null, now, [PENDING, PROCESSING]);
	}

	private end(id: string, status: JobStatus, message: string | null, now: number, from: JobStatus[]): boolean {
		return this.transition(id, status, () =>
			this.sql.exec(
				`UPDATE jobs SET status = ?, error_message = ?, completed_at = ? WHERE id = ? AND status IN (${from.map(() => "?").join(", ")})`,
				status,
				message,
				new Date(now).toISOString(),
				id,
				...from,
			),
		);
	}

	/**
	 * Runs a guarded UPDATE and, when it moved the job, writes the transition's log line: ids,
	 * statuses and counts only, never the spec's options (an invitation text) or records.
	 */
	private transition(id: string, to: JobStatus, update: () => SqlStorageCursor<Record<string, SqlStorageValue>>) {
		const before = this.row(id);
		if (!before || update().rowsWritten === 0) return false;
		const { total, created, updated, unchanged, skipped, failed } = before;
		const tenant = (JSON.parse(before.spec) as JobSpec).tenantId;
		const counts = { total, created, updated, unchanged, skipped, failed };
		logEvent("job", { job: id, tenant, from: before.status, to, ...counts });
		return true;
	}

	/** A chunk's counts; the caller counts each chunk once. */
	addCounts(id: string, counts: ReportedCounts): void {
		this.sql.exec(
			"UPDATE jobs SET created = created + ?, updated = updated + ?, unchanged = unchanged + ?, skipped = skipped + ?, failed = failed + ?, deactivated = deactivated + ? WHERE id = ?",
			counts.created,
			counts.updated,
			counts.unchanged,
			counts.skipped,
			counts.failed,
			counts.deactivated ?? 0,
			id,
		);
	}

	/** What a chunk (or the job's intake) used; the caller counts each chunk once. */
	addUsage(id: string, usage: Usage): void {
		this.sql.exec(
			`UPDATE jobs SET d1_rows_read = d1_rows_read + ?, d1_rows_written = d1_rows_written + ?,
				r2_class_a = r2_class_a + ?, r2_class_b = r2_class_b + ?, queue_operations = queue_operations + ? WHERE id = ?`,
			usage.d1RowsRead,
			usage.d1RowsWritten,
			usage.r2ClassA,
			usage.r2ClassB,
			usage.queueOperations,
			id,
		);
	}

	/**
	 * Jobs that ended before `cutoff`, oldest first; but not one whose files a commit or undo that
	 * has not ended yet reads (its chunks, its before-images): that one goes once they have ended.
	 */
	expired(cutoff: string, limit: number): string[] {
		return this.sql
			.exec<{ id: string }>(
				`SELECT id FROM jobs WHERE completed_at IS NOT NULL AND completed_at < ?1 AND id NOT IN (
					SELECT coalesce(spec ->> '$.commitOf', spec ->> '$.undoOf.job') FROM jobs WHERE status IN (?2, ?3)
					AND coalesce(spec ->> '$.commitOf', spec ->> '$.undoOf.job') IS NOT NULL)
				ORDER BY completed_at LIMIT ?4`,
				cutoff,
				PENDING,
				PROCESSING,
				limit,
			)
			.toArray()
			.map((r) => r.id);
	}

	forget(id: string): void {
		this.sql.exec("DELETE FROM jobs WHERE id = ?", id);
	}
}
