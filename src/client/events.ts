import { type Client, type Job, okResponse } from "./client";
import { CohortError } from "./errors";
import { networkReason, sleep } from "./retry";

const ENDED = ["completed", "failed", "cancelled"];

type SseEvent = { event: string; data: string; id?: string; retry?: number };

/** Server-sent events of a body, one object per blank-line-terminated block. */
async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
	let rest = "";
	let event: SseEvent = { event: "message", data: "" };
	let data: string[] = [];
	for await (const text of body.pipeThrough(new TextDecoderStream())) {
		const lines = (rest + text).split(/\r\n|\r|\n/);
		rest = lines.pop()!;
		for (const line of lines) {
			if (line === "") {
				if (data.length > 0) yield { ...event, data: data.join("\n") };
				event = { event: "message", data: "" };
				data = [];
				continue;
			}
			const colon = line.indexOf(":");
			if (colon === 0) continue;
			const field = colon < 0 ? line : line.slice(0, colon);
			const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
			if (field === "data") data.push(value);
			else if (field === "event") event.event = value;
			else if (field === "id") event.id = value;
			else if (field === "retry" && /^\d+$/.test(value)) event.retry = Number(value);
		}
	}
}

export type FollowOptions = {
	signal?: AbortSignal;
	/** Reconnections in a row that bring no event before giving up (default 10). */
	maxReconnects?: number;
	/** Told when the stream dropped and is being opened again. */
	onReconnect?: (info: { attempt: number; reason: string }) => void;
};

/**
 * The job on every change, from its event stream, until it ends (the last one yielded has ended).
 * A dropped stream is opened again with `Last-Event-ID`; errors such as 401 or 404 throw a CohortError.
 */
export async function* followJob(client: Client, id: string, options: FollowOptions = {}): AsyncGenerator<Job> {
	const { signal, maxReconnects = 10, onReconnect } = options;
	let lastId: string | undefined;
	let delayMs = 1000;
	for (let failures = 0; ; ) {
		let reason = "the stream ended before the job did";
		try {
			const res = await okResponse(
				client.v1.jobs[":id"].events.$get(
					{ param: { id } },
					{
						headers: { Accept: "text/event-stream", ...(lastId ? { "Last-Event-ID": lastId } : {}) },
						init: { signal },
					},
				),
			);
			for await (const event of sseEvents(res.body!)) {
				if (event.retry !== undefined) delayMs = event.retry;
				if (event.id !== undefined) lastId = event.id;
				if (event.event !== "job") continue;
				failures = 0;
				const job = JSON.parse(event.data) as Job;
				yield job;
				if (ENDED.includes(job.status)) return;
			}
		} catch (error) {
			if (error instanceof CohortError || signal?.aborted) throw error;
			reason = networkReason(error);
		}
		if (++failures > maxReconnects) throw new Error(`Lost the event stream of job ${id}: ${reason}`);
		onReconnect?.({ attempt: failures, reason });
		await sleep(delayMs, signal);
	}
}
