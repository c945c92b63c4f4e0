import type { JobRecord } from "./jobs";

/** The message the notification queue gets when a job ends. */
export type JobEvent = { kind: "job"; tenantId: string; job: JobRecord };

export type OutboxHost = {
	sql: SqlStorage;
	send(events: JobEvent[]): Promise<void>;
};

/** Announcements of ended jobs to the tenant's webhook; owns the `outbox` table. */
export class Outbox {
	constructor(private readonly host: OutboxHost) {}

	/** Recorded with the job's end, in the same transaction. */
	record(jobId: string): void {
		this.host.sql.exec("INSERT OR IGNORE INTO outbox (job_id) VALUES (?)", jobId);
	}

	/** Sends what is pending, taking it out as it is taken; what fails to send is put back. */
	async flush(event: (jobId: string) => JobEvent): Promise<void> {
		const taken = this.host.sql
			.exec<{ job_id: string }>("DELETE FROM outbox RETURNING job_id")
			.toArray()
			.map((r) => r.job_id);
		if (taken.length === 0) return;
		try {
			await this.host.send(taken.map(event));
		} catch (error) {
			for (const id of taken) this.record(id);
			throw error;
		}
	}

	remove(jobId: string): void {
		this.host.sql.exec("DELETE FROM outbox WHERE job_id = ?", jobId);
	}
}
