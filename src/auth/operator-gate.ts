import { DurableObject } from "cloudflare:workers";
import { secretsEqual } from "./keys";
import { type BucketState, take } from "./token-bucket";

/** Failed operator attempts one client may make in a row, and how many it gets back per minute. */
const FAILURES = { burst: 10, perMinute: 5 };

/** Shorter operator keys switch the operator routes off rather than guard them weakly. */
export const MIN_OPERATOR_KEY = 32;

/** `retryAfter` (seconds) when the client is throttled and the key was not even compared. */
export type OperatorVerdict = { ok: boolean; retryAfter?: number };

/**
 * One object per client address, in front of the operator key: a token bucket of failed
 * attempts. Each attempt takes a token before the key is compared and a right key gives it back,
 * so an empty bucket refuses every attempt, the right key included, until it refills: guessing
 * learns nothing while it is throttled.
 */
export class OperatorGate extends DurableObject<Env> {
	async attempt(token: string | undefined, now = Date.now()): Promise<OperatorVerdict> {
		const kv = this.ctx.storage.kv;
		// Read to write with no await between, so concurrent attempts cannot share one token.
		const taken = take(kv.get<BucketState>("bucket"), FAILURES.burst, FAILURES.perMinute, now);
		kv.put("bucket", taken.state);
		if (!taken.allowed) return { ok: false, retryAfter: Math.max(1, Math.ceil(taken.waitMs / 1000)) };
		const key = this.env.ADMIN_API_KEY;
		if (token === undefined || !(await secretsEqual(token, key))) return { ok: false };
		const current = kv.get<BucketState>("bucket")!;
		kv.put("bucket", { ...current, tokens: Math.min(FAILURES.burst, current.tokens + 1) });
		return { ok: true };
	}
}

export function operatorGate(env: Env, client: string): DurableObjectStub<OperatorGate> {
	return env.OPERATOR_GATE.get(env.OPERATOR_GATE.idFromName(client));
}
