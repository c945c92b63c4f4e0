import type { TenantLimits } from "../schemas/tenants";
import { type BucketState, take } from "./bucket";

/**
 * `recordsPerMinute` pacing of chunk sends; owns the `settings` (the tenant's limits as last seen)
 * and `pace` (a records bucket one minute deep) tables.
 */
export class Pace {
	constructor(private readonly sql: SqlStorage) {}

	/** New limits apply to the next chunks sent. */
	setLimits(limits: TenantLimits): void {
		this.sql.exec(
			"INSERT INTO settings (id, limits) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET limits = excluded.limits WHERE limits != excluded.limits",
			JSON.stringify(limits),
		);
	}

	/** Chunks go out while the bucket covers them; the first that it does not waits until `wakeAt`. */
	admit<C extends { records: number }>(chunks: C[], now: number): { send: C[]; wakeAt?: number } {
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
}
