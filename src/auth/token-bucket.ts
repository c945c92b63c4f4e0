export type BucketState = { tokens: number; updatedAt: number };

/**
 * A token bucket of `capacity` tokens refilled continuously at `perMinute`: refills `state` for
 * the time elapsed until `now` (ms) and takes `cost` tokens if there are that many. `waitMs` is
 * how long until there would be.
 */
export function take(state: BucketState | undefined, capacity: number, perMinute: number, now: number, cost = 1) {
	const perMs = perMinute / 60_000;
	const elapsed = state ? Math.max(0, now - state.updatedAt) : 0;
	const available = Math.min(capacity, (state?.tokens ?? capacity) + elapsed * perMs);
	const allowed = available >= cost;
	const tokens = allowed ? available - cost : available;
	return {
		allowed,
		state: { tokens, updatedAt: now },
		waitMs: allowed ? 0 : (cost - tokens) / perMs,
		fullInMs: (capacity - tokens) / perMs,
	};
}
