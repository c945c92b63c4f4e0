import { type BucketState, take } from "../auth/token-bucket";
import type { TenantLimits } from "../schemas/tenants";

const DEFAULT_LIMITS = { burst: 100, requestsPerMinute: 100 } as const;

export type RateDecision = {
	allowed: boolean;
	limit: number;
	remaining: number;
	/** Unix seconds at which the bucket is full again. */
	reset: number;
	/** Seconds until one token is available; 0 when allowed. */
	retryAfter: number;
};

/** The request bucket: one token per request, `burst` deep, refilled at `requestsPerMinute`. */
export function takeToken(
	state: BucketState | undefined,
	limits: TenantLimits,
	now: number,
): { state: BucketState; decision: RateDecision } {
	const burst = limits.burst ?? DEFAULT_LIMITS.burst;
	const result = take(state, burst, limits.requestsPerMinute ?? DEFAULT_LIMITS.requestsPerMinute, now);
	return {
		state: result.state,
		decision: {
			allowed: result.allowed,
			limit: burst,
			remaining: Math.floor(result.state.tokens),
			reset: Math.ceil((now + result.fullInMs) / 1000),
			retryAfter: result.allowed ? 0 : Math.max(1, Math.ceil(result.waitMs / 1000)),
		},
	};
}

/** The tenant's request bucket; owns the `bucket` table, and keeps what it last read or wrote there in memory. */
export class RequestBucket {
	private state: BucketState | undefined;

	constructor(private readonly sql: SqlStorage) {}

	private stored(): BucketState | undefined {
		const row = this.sql
			.exec<{ tokens: number; updated_at: number }>("SELECT tokens, updated_at FROM bucket")
			.toArray()[0];
		return row && { tokens: row.tokens, updatedAt: row.updated_at };
	}

	/** Synchronous from read to write, so concurrent requests cannot interleave inside it. */
	take(limits: TenantLimits, now: number): RateDecision {
		const { state, decision } = takeToken(this.state ?? this.stored(), limits, now);
		this.sql.exec(
			"INSERT INTO bucket (id, tokens, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at",
			state.tokens,
			state.updatedAt,
		);
		this.state = state;
		return decision;
	}

	/** A lowered burst caps the tokens already held. */
	capTo(burst: number): void {
		this.sql.exec("UPDATE bucket SET tokens = MIN(tokens, ?)", burst);
		this.state = this.stored();
	}
}
