import { type Client, okResponse } from "./client";

/** One JSON value per line of an NDJSON body, read as it streams. */
export async function* ndjsonRows<T>(body: ReadableStream<Uint8Array>): AsyncGenerator<T> {
	let rest = "";
	for await (const text of body.pipeThrough(new TextDecoderStream())) {
		const lines = (rest + text).split("\n");
		rest = lines.pop()!;
		for (const line of lines) if (line.trim()) yield JSON.parse(line) as T;
	}
	if (rest.trim()) yield JSON.parse(rest) as T;
}

/** A row of a job's error report (spec §9): where the record was, why it failed, the record itself. */
export type ErrorRow = {
	line?: number;
	index?: number;
	externalId?: string;
	email?: string;
	code: string;
	field?: string;
	column?: string;
	error: string;
	record?: unknown;
};

/** Every failed record of a job, streamed. */
export async function* errorRows(client: Client, jobId: string): AsyncGenerator<ErrorRow> {
	const res = await okResponse(client.v1.jobs[":id"].errors.$get({ param: { id: jobId }, query: {} }));
	if (res.body) yield* ndjsonRows<ErrorRow>(res.body);
}

/** A row of a job's results (spec §9, §15): a record's outcome, and what a preview's update would change. */
export type ResultRow = {
	line?: number;
	index?: number;
	externalId?: string;
	email?: string;
	outcome: "created" | "updated" | "unchanged" | "skipped" | "failed";
	code?: string;
	error?: string;
	changes?: Record<string, [unknown, unknown]>;
	action?: "restored" | "removed";
};

/** Every record's outcome of a job, in input order, streamed. */
export async function* resultRows(client: Client, jobId: string): AsyncGenerator<ResultRow> {
	const res = await okResponse(client.v1.jobs[":id"].results.$get({ param: { id: jobId }, query: {} }));
	if (res.body) yield* ndjsonRows<ResultRow>(res.body);
}
