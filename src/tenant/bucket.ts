import type { TenantLimits } from "../db/schema";

export const DEFAULT_LIMITS = { burst: 100, requestsPerMinute: 100 } as const;

export type BucketState = { tokens: number; updatedAt: number };

export type RateDecision = {
	allowed: boolean;
	limit: number;
	remaining: number;
	/** Unix seconds at which the bucket is full again. */
	reset: number;
	/** Seconds until one token is available; 0 when allowed. */
	retryAfter: number;
};

/** Refills `state` for the time elapsed until `now` (ms) and takes one token if there is one. */
export function takeToken(
	state: BucketState | undefined,
	limits: TenantLimits,
	now: number,
): { state: BucketState; decision: RateDecision } {
	const burst = limits.burst ?? DEFAULT_LIMITS.burst;
	const perMs = (limits.requestsPerMinute ?? DEFAULT_LIMITS.requestsPerMinute) / 60_000;
	const elapsed = state ? Math.max(0, now - state.updatedAt) : 0;
	const available = Math.min(burst, (state?.tokens ?? burst) + elapsed * perMs);
	const allowed = available >= 1;
	const tokens = allowed ? available - 1 : available;
	return {
		state: { tokens, updatedAt: now },
		decision: {
			allowed,
			limit: burst,
			remaining: Math.floor(tokens),
			reset: Math.ceil((now + (burst - tokens) / perMs) / 1000),
			retryAfter: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)),
		},
	};
}
