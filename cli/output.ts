import { CohortError } from "../src/client";
import { networkReason } from "../src/client/retry";

/** Exit statuses (spec §14): 0 done, 1 a failed job, failed records or a failed request, 2 a usage error, 130 Ctrl-C. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** A mistake in how the command was called (a missing file, an unknown format, no login): exit 2. */
export class UsageError extends Error {}

/** Machine output: one JSON document on stdout. */
export function printJson(value: unknown) {
	process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(line = "") {
	process.stdout.write(`${line}\n`);
}

/** Rows as aligned columns; the columns named in `right` are right-aligned (numbers). */
export function table(rows: string[][], right: number[] = []): string {
	const widths: number[] = [];
	for (const row of rows) for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
	const pad = (cell: string, i: number) => (right.includes(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!));
	return rows.map((row) => row.map(pad).join("  ").trimEnd()).join("\n");
}

/** One sentence that says what went wrong and what to do, and the exit status it means. */
export function explain(error: unknown, url: string | undefined): { message: string; exit: number } {
	if (error instanceof UsageError) return { message: error.message, exit: EXIT.usage };
	if (error instanceof CohortError) {
		const ref = error.requestId ? `, request ${error.requestId}` : "";
		if (error.status === 401)
			return {
				message: `The server refused the API key (${error.code}${ref}). Run \`cohort login\` with a valid key, or set COHORT_KEY.`,
				exit: EXIT.failed,
			};
		if (error.status === 403)
			return { message: `${error.message}: this key's role may not do that (${error.code}${ref}).`, exit: EXIT.failed };
		const details = error.details?.length
			? ` (${error.details
					.slice(0, 3)
					.map((d) => `${d.path}: ${d.message}`)
					.join("; ")})`
			: "";
		return { message: `${error.message}${details} [${error.code}${ref}]`, exit: EXIT.failed };
	}
	if (error instanceof TypeError && (error as { cause?: unknown }).cause !== undefined)
		return {
			message: `Cannot reach the server at ${url} (${networkReason(error)}). Is it running? Set its address with \`cohort login --url\` or COHORT_URL.`,
			exit: EXIT.failed,
		};
	return { message: error instanceof Error ? error.message : String(error), exit: EXIT.failed };
}
