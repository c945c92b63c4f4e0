import type { InferRequestType } from "hono/client";
import { type Client, type Job, ok } from "./client";
import { CohortError } from "./errors";
import { type RetryPolicy, sleep, withRetries } from "./retry";

type NewUpload = InferRequestType<Client["v1"]["uploads"]["$post"]>["json"];
type ImportQuery = InferRequestType<Client["v1"]["imports"]["$post"]>["query"];
export type RecordType = NewUpload["type"];
export type FileFormat = NewUpload["format"];
export type ImportOptions = NonNullable<NewUpload["options"]>;

/** Files above this go in staged parts: the platform takes at most 100 MB in one request. */
export const STAGED_ABOVE = 90 * 1024 * 1024;
const CONTENT_TYPES: Record<FileFormat, string> = { ndjson: "application/x-ndjson", csv: "text/csv" };

export type UploadFileOptions = {
	type: RecordType;
	format: FileFormat;
	/** The file is gzip-compressed: sent as is with Content-Encoding in one request, decompressed into parts when staged. */
	gzip?: boolean;
	options?: ImportOptions;
	/** CSV: a saved mapping profile's name, or `{header: field}`. */
	mapping?: string | Record<string, string>;
	ifBusy?: "queue" | "reject";
	/** Staged parts or one request; by default staged above STAGED_ABOVE bytes. */
	staged?: boolean;
	partsInFlight?: number;
	/** A staged upload started earlier for this same file: only the parts it lacks are sent. */
	resume?: string;
	/** Told the id of a new staged upload, before any part is sent, so it can be resumed later. */
	onUpload?: (uploadId: string) => void | Promise<void>;
	/** Bytes of the file sent so far; the first call says how much the server already holds (0 for a new upload). */
	onProgress?: (sent: number, total: number) => void;
	/** Makes a single-request upload safe to send again (the server answers a repeat with the same job). */
	idempotencyKey?: string;
	retry?: RetryPolicy;
	signal?: AbortSignal;
};

export type UploadResult = {
	job: Job;
	/** For staged uploads: the upload, its number of parts and the parts this call sent. */
	upload?: { id: string; parts: number; sent: number[] };
};

/** Uploads a file (a Blob: a browser File, or `fs.openAsBlob` in Node) as an import job. */
export function uploadFile(client: Client, file: Blob, options: UploadFileOptions): Promise<UploadResult> {
	return (options.staged ?? file.size > STAGED_ABOVE) ? staged(client, file, options) : single(client, file, options);
}

async function single(client: Client, file: Blob, o: UploadFileOptions): Promise<UploadResult> {
	const query: ImportQuery = { type: o.type, ...(o.ifBusy ? { ifBusy: o.ifBusy } : {}) };
	if (o.mapping !== undefined) query.mapping = typeof o.mapping === "string" ? o.mapping : JSON.stringify(o.mapping);
	for (const [name, value] of Object.entries(o.options ?? {})) Object.assign(query, { [name]: String(value) });
	const headers: Record<string, string> = { "Content-Type": CONTENT_TYPES[o.format] };
	if (o.gzip) headers["Content-Encoding"] = "gzip";
	if (o.idempotencyKey) headers["Idempotency-Key"] = o.idempotencyKey;
	const job = await ok(
		withRetries(
			() => {
				let sent = 0;
				o.onProgress?.(0, file.size);
				const body = file.stream().pipeThrough(
					new TransformStream<Uint8Array, Uint8Array>({
						transform(chunk, controller) {
							sent += chunk.byteLength;
							o.onProgress?.(sent, file.size);
							controller.enqueue(chunk);
						},
					}),
				);
				// `duplex` is how fetch streams a request body; the runtime's RequestInit type predates it.
				const init = { body, duplex: "half", signal: o.signal } as RequestInit;
				return client.v1.imports.$post({ query }, { headers, init });
			},
			{ ...o.retry, signal: o.signal },
		),
	);
	return { job };
}

/**
 * Part `n` of the file; `fileBytes` is how much of the file (as stored, compressed or not) it
 * accounts for. A plain file's part is a slice of it, which fetch streams from disk with its length.
 */
type Part = { n: number; size: number; fileBytes: number; body: () => Blob | Uint8Array };

/** The parts of a plain file. */
async function* fileParts(file: Blob, partSize: number): AsyncGenerator<Part> {
	for (let start = 0, n = 1; start < file.size; start += partSize, n++) {
		const end = Math.min(file.size, start + partSize);
		yield { n, size: end - start, fileBytes: end - start, body: () => file.slice(start, end) };
	}
}

/** The parts of a gzip file's decompressed content; the file is read through once, a part at a time. */
async function* gunzipParts(file: Blob, partSize: number): AsyncGenerator<Part> {
	let read = 0;
	let accounted = 0;
	const counted = file.stream().pipeThrough(
		new TransformStream<Uint8Array, Uint8Array>({
			transform(chunk, controller) {
				read += chunk.byteLength;
				controller.enqueue(chunk);
			},
		}),
	);
	let buffer = new Uint8Array(partSize);
	let filled = 0;
	let n = 1;
	const cut = (): Part => {
		const bytes = buffer.subarray(0, filled);
		const part = { n: n++, size: filled, fileBytes: read - accounted, body: () => bytes };
		accounted = read;
		buffer = new Uint8Array(partSize);
		filled = 0;
		return part;
	};
	for await (let chunk of counted.pipeThrough(new DecompressionStream("gzip"))) {
		while (chunk.byteLength > 0) {
			const take = Math.min(chunk.byteLength, partSize - filled);
			buffer.set(chunk.subarray(0, take), filled);
			filled += take;
			chunk = chunk.subarray(take);
			if (filled === partSize) yield cut();
		}
	}
	if (filled > 0) yield cut();
}

/** Runs `task` over the items with at most `limit` at a time; the first failure stops the rest. */
async function inParallel<T>(items: AsyncIterable<T>, limit: number, task: (item: T) => Promise<void>): Promise<void> {
	const running = new Set<Promise<void>>();
	try {
		for await (const item of items) {
			const run: Promise<void> = task(item).finally(() => running.delete(run));
			running.add(run);
			if (running.size >= limit) await Promise.race(running);
		}
		await Promise.all(running);
	} finally {
		await Promise.allSettled(running);
	}
}

type Upload = Awaited<ReturnType<typeof getUpload>>;

async function getUpload(client: Client, id: string) {
	return ok(client.v1.uploads[":id"].$get({ param: { id } }));
}

/** The earlier upload to resume, if it still exists for the same kind of file and can take parts or a completion. */
async function resumable(client: Client, id: string, o: UploadFileOptions): Promise<Upload | undefined> {
	try {
		const upload = await getUpload(client, id);
		if (upload.type !== o.type || upload.format !== o.format) return undefined;
		return ["open", "completing", "completed"].includes(upload.status) ? upload : undefined;
	} catch (error) {
		if (error instanceof CohortError && error.status === 404) return undefined;
		throw error;
	}
}

/**
 * Completes the upload. A completion that outlives its connection goes on on the server (a second
 * call answers 409 while it does), so that case waits for the upload to name its job.
 */
async function complete(client: Client, id: string, signal?: AbortSignal): Promise<Job> {
	try {
		return await ok(client.v1.uploads[":id"].complete.$post({ param: { id } }, { init: { signal } }));
	} catch (error) {
		if (!(error instanceof CohortError && error.code === "CONFLICT")) throw error;
		for (;;) {
			const upload = await getUpload(client, id);
			if (upload.status === "completed") return complete(client, id, signal);
			if (upload.status !== "completing") throw error;
			await sleep(2000, signal);
		}
	}
}

async function staged(client: Client, file: Blob, o: UploadFileOptions): Promise<UploadResult> {
	let upload = o.resume ? await resumable(client, o.resume, o) : undefined;
	if (!upload) {
		const json = { type: o.type, format: o.format, options: o.options, mapping: o.mapping };
		upload = await ok(client.v1.uploads.$post({ json }, { init: { signal: o.signal } }));
		await o.onUpload?.(upload.id);
	}
	const { id, partSize } = upload;
	const have = new Map(upload.parts.map((p) => [p.partNumber, p.size]));
	let progress = 0;
	const advance = (bytes: number) => {
		progress += bytes;
		o.onProgress?.(progress, file.size);
	};
	let count = 0;
	const sent: number[] = [];
	// What the server holds of a plain file counts as sent from the start; a gzip file's share of it shows once read.
	const held = o.gzip
		? 0
		: upload.parts
				.filter((p) => p.size === Math.min(partSize, file.size - (p.partNumber - 1) * partSize))
				.reduce((sum, p) => sum + p.size, 0);
	advance(held);
	if (upload.status === "open") {
		const missing = async function* () {
			for await (const part of o.gzip ? gunzipParts(file, partSize) : fileParts(file, partSize)) {
				count = part.n;
				if (have.get(part.n) !== part.size) yield part;
				else if (o.gzip) advance(part.fileBytes);
			}
		};
		await inParallel(missing(), o.partsInFlight ?? 4, async (part) => {
			await ok(
				client.v1.uploads[":id"].parts[":n"].$put(
					{ param: { id, n: String(part.n) } },
					{ headers: { "Content-Type": "application/octet-stream" }, init: { body: part.body(), signal: o.signal } },
				),
			);
			sent.push(part.n);
			advance(part.fileBytes);
		});
	}
	const job = await complete(client, id, o.signal);
	return { job, upload: { id, parts: count || upload.parts.length, sent: sent.sort((a, b) => a - b) } };
}
