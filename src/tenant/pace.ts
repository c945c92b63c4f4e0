import { type BucketState, take } from "../auth/token-bucket";
import type { TenantLimits } from "../schemas/tenants";

/**
 * `recordsPerMinute` pacing of chunk sends; owns the `settings` (the tenant's limits as last seen)
 * and `pace` (a records bucket one minute deep) tables.
 */
export class Pace {
	/** What this instance last wrote to `settings`: every request brings the limits, few change them. */
	private written: string | undefined;

	constructor(private readonly sql: SqlStorage) {}

	/** New limits apply to the next chunks sent. */
	setLimits(limits: TenantLimits): void {
		const json = JSON.stringify(limits);
		if (json === this.written) return;
		this.sql.exec(
			"INSERT INTO settings (id, limits) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET limits = excluded.limits WHERE limits != excluded.limits",
			json,
		);
		this.written = json;
	}

	private perMinute(): number | undefined {
		const settings = this.sql.exec<{ limits: string }>("SELECT limits FROM settings").toArray()[0];
		return settings ? (JSON.parse(settings.limits) as TenantLimits).recordsPerMinute : undefined;
	}

	private bucket(): BucketState | undefined {
		const row = this.sql
			.exec<{ tokens: number; updated_at: number }>("SELECT tokens, updated_at FROM pace")
			.toArray()[0];
		return row && { tokens: row.tokens, updatedAt: row.updated_at };
	}

	/** The chunks that may go now, in order: they stop at the first the bucket does not cover. */
	admit<C extends { records: number }>(chunks: C[], now: number): C[] {
		const perMinute = this.perMinute();
		if (!perMinute) return chunks;
		let state = this.bucket();
		const send: C[] = [];
		for (const chunk of chunks) {
			const result = take(state, perMinute, perMinute, now, Math.min(chunk.records, perMinute));
			state = result.state;
			if (!result.allowed) break;
			send.push(chunk);
		}
		if (state) {
			this.sql.exec(
				"INSERT INTO pace (id, tokens, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at",
				state.tokens,
				state.updatedAt,
			);
		}
		return send;
	}

	/** When the bucket will cover a chunk of `records`. */
	readyAt(records: number, now: number): number {
		const perMinute = this.perMinute();
		if (!perMinute) return now;
		return now + Math.ceil(take(this.bucket(), perMinute, perMinute, now, Math.min(records, perMinute)).waitMs);
	}
}
