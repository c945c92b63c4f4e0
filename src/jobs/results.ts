import type { Outcome, RecordError } from "../db/writes";
import type { JobOrigin } from "../schemas/jobs";

/**
 * Every record's outcome in a chunk, as the NDJSON lines of `GET /v1/jobs/:id/results`, in input
 * order: `{line|index, externalId?, email?, outcome, code?, error?}`.
 */
export function resultLines(origin: JobOrigin, outcome: Outcome, parseErrors: RecordError[]): string {
	const refName = origin === "json" ? "index" : "line";
	const rows = [
		...outcome.results.map(({ ref, externalId, email, outcome, changes }) => ({
			ref,
			line: { externalId, email, outcome, changes },
		})),
		...[...parseErrors, ...outcome.errors].map(({ ref, externalId, email, ...rest }) => ({
			ref,
			line: { externalId, email, outcome: "failed", ...rest },
		})),
	].sort((a, b) => a.ref - b.ref);
	return rows.map(({ ref, line }) => `${JSON.stringify({ [refName]: ref, ...line })}\n`).join("");
}

/**
 * Puts a chunk's results where its ledger row will point. Each attempt writes its own object, so a
 * twin delivery that loses the race to commit never overwrites the results of the one that won.
 */
export async function putResults(env: Env, jobId: string, chunk: number, attempt: string, text: string) {
	const key = resultsKey(jobId, chunk, attempt);
	await env.FILES.put(key, text, { httpMetadata: { contentType: "application/x-ndjson" } });
	return key;
}

const resultsKey = (jobId: string, chunk: number, attempt: string) => `jobs/${jobId}/results/${chunk}.${attempt}`;
