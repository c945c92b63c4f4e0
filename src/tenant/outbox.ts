import { backoff } from "./backoff";
import type { JobRecord } from "./jobs";

/** The message the notification queue gets when a job ends. */
export type JobEvent = { kind: "job"; tenantId: string; job: JobRecord };

/** A send that has not answered after this long is taken to have died, and the event goes again. */
const LEASE_MS = 60_000;
/**
 * How long a queued event may take to be delivered (one POST of at most 30 s, plus the wait in the
 * queue) before it is taken as lost, in a restart or with a consumer that died, and goes again.
 */
export const DELIVERY_WAIT_MS = 120_000;
const RETRY_MAX_MS = 5 * 60_000;
/** An event the queue refuses for this long is dropped, with a log line. */
export const OUTBOX_GIVE_UP_MS = 24 * 3_600_000;

export type OutboxHost = {
	sql: SqlStorage;
	send(events: JobEvent[]): Promise<void>;
};

/**
 * Ended jobs' events for the tenant's webhook; owns the `outbox` table. An event is recorded in the
 * transaction that ends its job and leaves only once the queue's consumer says the webhook took it
 * (or there is no webhook). Every failure, of the queue or of the receiver, is tried again with a
 * backoff until the event has been failing for a day; a queued event not heard of again within
 * DELIVERY_WAIT_MS is sent again, with the same delivery id.
 */
export class Outbox {
	constructor(private readonly host: OutboxHost) {}

	record(jobId: string): void {
		this.host.sql.exec("INSERT OR IGNORE INTO outbox (job_id) VALUES (?)", jobId);
	}

	/** The events due now, leased so that an interleaved call does not send them too. */
	take(now: number): string[] {
		return this.host.sql
			.exec<{ job_id: string }>("UPDATE outbox SET due_at = ? WHERE due_at <= ? RETURNING job_id", now + LEASE_MS, now)
			.toArray()
			.map((r) => r.job_id);
	}

	/** Each event on its own, so one the queue refuses holds up no other. */
	async send(events: JobEvent[], now: number): Promise<void> {
		for (const event of events) {
			try {
				await this.host.send([event]);
				this.host.sql.exec("UPDATE outbox SET due_at = ? WHERE job_id = ?", now + DELIVERY_WAIT_MS, event.job.id);
			} catch (error) {
				this.failed(event.job.id, now, error);
			}
		}
	}

	/** The receiver refused the event or could not be reached: it goes again after a backoff. */
	failed(jobId: string, now: number, error: unknown): void {
		const [row] = this.host.sql
			.exec<{ since: number }>(
				"UPDATE outbox SET failing_since = coalesce(failing_since, ?) WHERE job_id = ? RETURNING failing_since AS since",
				now,
				jobId,
			)
			.toArray();
		if (!row) return;
		const { since } = row;
		if (now - since < OUTBOX_GIVE_UP_MS) {
			this.host.sql.exec(
				"UPDATE outbox SET due_at = ? WHERE job_id = ?",
				now + backoff(now - since, RETRY_MAX_MS),
				jobId,
			);
			return;
		}
		console.error(
			JSON.stringify({ undeliverable: { job: jobId, since: new Date(since).toISOString(), error: String(error) } }),
		);
		this.remove(jobId);
	}

	nextWakeAt(): number | undefined {
		return this.host.sql.exec<{ at: number | null }>("SELECT min(due_at) AS at FROM outbox").one().at ?? undefined;
	}

	remove(jobId: string): void {
		this.host.sql.exec("DELETE FROM outbox WHERE job_id = ?", jobId);
	}
}
