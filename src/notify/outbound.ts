import { allowance, urlRefusal } from "./url-guard";

/**
 * A fetch that produced no usable answer. The message is ours and safe to show a tenant
 * ("connection failed", "timed out", …): the runtime's own text can name internal details and,
 * for an address that slipped through, would make the service a port scanner.
 */
export class OutboundError extends Error {}

export type OutboundLimits = {
	/** From the first connection to the final answer's headers, redirects included. */
	headersMs: number;
	/** The whole exchange, reading the answer's body included; unset where a file may take minutes. */
	totalMs?: number;
	/** Redirects followed by hand, each hop checked before it is connected to; 0 returns a 3xx as the answer. */
	redirects: number;
};

/** Downloading a file to import: any length, so only the wait for headers is bounded. */
export const FILE_DOWNLOAD: OutboundLimits = { headersMs: 10_000, redirects: 5 };

/**
 * Posting to a webhook: bounded in all, so one slow receiver cannot hold the delivery queue. A
 * redirect is a failed attempt (a signed body is not re-sent elsewhere), as with Stripe's webhooks.
 */
export const DELIVERY: OutboundLimits = { headersMs: 10_000, totalMs: 30_000, redirects: 0 };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

type OutboundInit = { method?: string; headers?: Record<string, string>; body?: string };

/**
 * The one way the service fetches a URL someone else chose (URL imports, tenant webhooks, the
 * notification webhook). Every hop is checked with the address guard before it is connected to.
 */
export async function outboundFetch(
	raw: string,
	env: Env,
	init: OutboundInit,
	limits: OutboundLimits,
): Promise<Response> {
	const allow = allowance(env);
	const headersDue = new AbortController();
	const timer = setTimeout(() => headersDue.abort(), limits.headersMs);
	const signal = limits.totalMs
		? AbortSignal.any([headersDue.signal, AbortSignal.timeout(limits.totalMs)])
		: headersDue.signal;
	let url = raw;
	try {
		for (let hop = 0; ; hop++) {
			const refusal = urlRefusal(url, allow);
			if (refusal) {
				throw new OutboundError(
					hop === 0 ? `refused: ${refusal.reason}` : `redirected to a refused URL: ${refusal.reason}`,
				);
			}
			let res: Response;
			try {
				const [target, request] = withCredentials(url, init);
				res = await fetch(target, { ...request, redirect: "manual", signal });
			} catch {
				throw new OutboundError(signal.aborted ? "timed out" : "connection failed");
			}
			const location = res.headers.get("Location");
			if (limits.redirects === 0 || !REDIRECTS.has(res.status) || location === null) {
				return res.body ? new Response(guardBody(res.body, signal), res) : res;
			}
			await res.body?.cancel();
			if (hop >= limits.redirects) throw new OutboundError(`more than ${limits.redirects} redirects`);
			if (!URL.canParse(location, url)) throw new OutboundError("redirected to an invalid URL");
			url = new URL(location, url).toString();
		}
	} finally {
		clearTimeout(timer);
	}
}

/**
 * The runtime drops a URL's userinfo without sending it; this sends it as Basic credentials, as
 * curl does, to the hop whose URL carries it (a redirect elsewhere does not inherit it).
 */
function withCredentials(raw: string, init: OutboundInit): [string, OutboundInit] {
	const url = new URL(raw);
	if (!url.username && !url.password) return [raw, init];
	const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
	const basic = btoa(String.fromCharCode(...new TextEncoder().encode(credentials)));
	url.username = "";
	url.password = "";
	return [url.toString(), { ...init, headers: { ...init.headers, Authorization: `Basic ${basic}` } }];
}

/** The answer's body, with a failure while reading it told in the same safe words. */
function guardBody(body: ReadableStream<Uint8Array>, signal: AbortSignal): ReadableStream<Uint8Array> {
	const reader = body.getReader();
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			try {
				const { done, value } = await reader.read();
				if (done) controller.close();
				else controller.enqueue(value);
			} catch {
				controller.error(
					new OutboundError(signal.aborted ? "timed out while reading" : "connection lost while reading"),
				);
			}
		},
		cancel: (reason) => reader.cancel(reason),
	});
}
