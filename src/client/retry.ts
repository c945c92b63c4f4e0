/** How requests are retried: on 429 (after its Retry-After), on 5xx and on network errors, with backoff. */
export type RetryPolicy = {
	/** Tries in all, the first included. */
	attempts?: number;
	/** The first backoff; it doubles with each retry (plus up to 25% jitter), up to maxDelayMs. */
	baseDelayMs?: number;
	maxDelayMs?: number;
	/** Told before each wait, e.g. to print it. */
	onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
	signal?: AbortSignal;
};

/** What retrying needs of an answer: a fetch Response, or a typed client's. */
type Answer = { status: number; headers: Headers; body: ReadableStream | null };

/** Nothing listens there, or the name does not resolve: trying again at once does not help, the user must act. */
const UNREACHABLE = ["ECONNREFUSED", "ENOTFOUND"];

const RETRY_STATUS = (status: number) => status === 429 || status >= 500;

export function sleep(ms: number, signal?: AbortSignal) {
	return new Promise<void>((resolve, reject) => {
		if (signal?.aborted) return reject(signal.reason);
		const timer = setTimeout(done, ms);
		function done() {
			signal?.removeEventListener("abort", abort);
			resolve();
		}
		function abort() {
			clearTimeout(timer);
			reject(signal!.reason);
		}
		signal?.addEventListener("abort", abort, { once: true });
	});
}

/** Retry-After in seconds or as an HTTP date, as milliseconds from now. */
function retryAfterMs(res: Answer): number | undefined {
	const value = res.headers.get("Retry-After");
	if (!value) return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Calls `send` until it answers with neither 429 nor 5xx, or the attempts run out (then the last
 * answer or error is returned or thrown). `send` must make a fresh request each time, body included.
 */
export async function withRetries<R extends Answer>(send: () => Promise<R>, policy: RetryPolicy = {}): Promise<R> {
	const { attempts = 5, baseDelayMs = 250, maxDelayMs = 30_000, onRetry, signal } = policy;
	for (let attempt = 1; ; attempt++) {
		let res: R | undefined;
		let reason: string;
		try {
			res = await send();
			if (!RETRY_STATUS(res.status) || attempt >= attempts) return res;
			reason = `${res.status}`;
		} catch (error) {
			reason = networkReason(error);
			if (signal?.aborted || attempt >= attempts || (error as Error).name === "AbortError") throw error;
			if (UNREACHABLE.includes(reason)) throw error;
		}
		const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)) * (1 + Math.random() / 4);
		const delayMs = (res && res.status === 429 && retryAfterMs(res)) || backoff;
		await res?.body?.cancel();
		onRetry?.({ attempt, delayMs, reason });
		await sleep(delayMs, signal);
	}
}

/** A short name for why a request never got an answer (ECONNREFUSED, ECONNRESET, ...). */
export function networkReason(error: unknown): string {
	const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
	return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}

/** A fetch that retries by the policy whenever its body can be sent again (not a one-shot stream). */
export function retryingFetch(base: typeof fetch, policy: RetryPolicy = {}): typeof fetch {
	return (input, init) => {
		if (init?.body instanceof ReadableStream) return base(input, init);
		return withRetries(() => base(input, init), { ...policy, signal: init?.signal ?? policy.signal });
	};
}
