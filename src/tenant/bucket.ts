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

/** How stale the stored bucket may be while it is more than half full (see `take`). */
const PERSIST_EVERY_MS = 1_000;

/** The tenant's request bucket; owns the `bucket` table, and keeps what it last read or wrote there in memory. */
export class RequestBucket {
	private state: BucketState | undefined;
	private persistedAt = 0;

	constructor(private readonly sql: SqlStorage) {}

	private stored(): BucketState | undefined {
		const row = this.sql
			.exec<{ tokens: number; updated_at: number }>("SELECT tokens, updated_at FROM bucket")
			.toArray()[0];
		return row && { tokens: row.tokens, updatedAt: row.updated_at };
	}

	/**
	 * Synchronous from read to write, so concurrent requests cannot interleave inside it. The state is
	 * written through while the bucket is at most half full or refuses, and at most once a second
	 * above that: a write makes the answer wait for the object's storage to commit, and on a busy
	 * tenant that commit was most of the call. A restart then forgets at most a second of requests,
	 * only while the tenant is far from its limit.
	 */
	take(limits: TenantLimits, now: number): RateDecision {
		const { state, decision } = takeToken(this.state ?? this.stored(), limits, now);
		this.state = state;
		const roomy = decision.allowed && state.tokens > decision.limit / 2;
		if (!roomy || now - this.persistedAt >= PERSIST_EVERY_MS) this.persist(state, now);
		return decision;
	}

	private persist(state: BucketState, now: number): void {
		this.sql.exec(
			"INSERT INTO bucket (id, tokens, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at",
			state.tokens,
			state.updatedAt,
		);
		this.persistedAt = now;
	}

	/** A lowered burst caps the tokens already held. */
	capTo(burst: number): void {
		const state = this.state ?? this.stored();
		if (!state) return;
		this.state = { tokens: Math.min(state.tokens, burst), updatedAt: state.updatedAt };
		this.persist(this.state, Date.now());
	}
}
