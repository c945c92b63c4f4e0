import { type Client, createClient, type RetryPolicy } from "../src/client";
import { readLogin } from "./config";
import { nodeFetch } from "./http";
import { UsageError } from "./output";

/** Options every command takes. */
export type Globals = { url?: string; key?: string; json?: boolean };

/** The server and key: flags first, then COHORT_URL / COHORT_KEY, then what `cohort login` saved. */
export function connection(globals: Globals, { needKey = true } = {}): { url: string; key: string } {
	const saved = readLogin();
	const url = globals.url ?? process.env.COHORT_URL ?? saved.url;
	const key = globals.key ?? process.env.COHORT_KEY ?? saved.key;
	if (!url) throw new UsageError("No server: run `cohort login --url URL`, or set COHORT_URL.");
	if (needKey && !key) throw new UsageError("No API key: run `cohort login`, or set COHORT_KEY.");
	return { url: url.replace(/\/+$/, ""), key: key ?? "" };
}

/** Retries are told on stderr, so a slow server or a rate limit shows rather than a silent wait. */
export const retryPolicy: RetryPolicy = {
	attempts: 6,
	onRetry: ({ delayMs, reason }) =>
		process.stderr.write(
			`retrying in ${(delayMs / 1000).toFixed(1)}s (${reason === "429" ? "rate limited" : reason})\n`,
		),
};

export function client(url: string, key: string): Client {
	return createClient({ baseUrl: url, key, fetch: nodeFetch, retry: retryPolicy });
}
