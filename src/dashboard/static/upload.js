// Sends a file to the API with upload progress (XMLHttpRequest: fetch reports none): one streamed
// request up to 90 MiB, above that a staged upload whose parts go three at a time and can be sent
// again after a failure, without the parts already stored.
import { ApiError, idempotencyKey, toSignIn } from "./api.js";

export const STAGED_ABOVE = 90 * 1024 * 1024;
const PARALLEL_PARTS = 3;
const ATTEMPTS = 3;

/** The format the API should read, from the file name; gzip is sent as Content-Encoding. */
export function fileFormat(name) {
	const lower = name.toLowerCase();
	const gzip = lower.endsWith(".gz");
	const base = gzip ? lower.slice(0, -3) : lower;
	if (base.endsWith(".csv")) return { format: "csv", gzip };
	if (base.endsWith(".ndjson") || base.endsWith(".jsonl")) return { format: "ndjson", gzip };
	return null;
}

function send(method, url, body, headers, onProgress = () => {}) {
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open(method, url);
		for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
		xhr.upload.addEventListener("progress", (event) => onProgress(event.loaded));
		xhr.addEventListener("error", () => reject(new Error("The connection to the server failed")));
		xhr.addEventListener("load", () => {
			let json = null;
			try {
				json = JSON.parse(xhr.responseText);
			} catch {}
			if (xhr.status >= 200 && xhr.status < 300) return resolve(json);
			if (xhr.status === 401) toSignIn();
			const error = json?.error;
			reject(
				new ApiError(xhr.status, error?.message ?? `The server answered ${xhr.status}`, error?.code, error?.details),
			);
		});
		xhr.send(body);
	});
}

/** One request: the API streams the body into a job and answers 202 with it. */
export function uploadWhole(file, query, onProgress) {
	const { format, gzip } = fileFormat(file.name);
	const headers = {
		"Content-Type": format === "csv" ? "text/csv" : "application/x-ndjson",
		"Idempotency-Key": idempotencyKey(),
		...(gzip ? { "Content-Encoding": "gzip" } : {}),
	};
	return send("POST", `/v1/imports?${query}`, file, headers, onProgress);
}

/** A staged upload (POST /v1/uploads, PUT parts, complete); `sendParts` may be called again to resume. */
export class StagedUpload {
	constructor(file, spec, onProgress) {
		this.file = file;
		this.spec = spec;
		this.onProgress = onProgress;
		this.stored = new Set();
		this.inFlight = new Map();
	}

	async start() {
		const json = JSON.stringify(this.spec);
		const headers = { "Content-Type": "application/json", "Idempotency-Key": idempotencyKey() };
		const upload = await send("POST", "/v1/uploads", json, headers);
		this.id = upload.id;
		this.partSize = upload.partSize;
		this.parts = Math.max(1, Math.ceil(this.file.size / this.partSize));
	}

	report() {
		let bytes = 0;
		for (const n of this.stored) bytes += this.partBlob(n).size;
		for (const loaded of this.inFlight.values()) bytes += loaded;
		this.onProgress(bytes);
	}

	partBlob(n) {
		return this.file.slice((n - 1) * this.partSize, n * this.partSize);
	}

	async sendPart(n) {
		for (let attempt = 1; ; attempt++) {
			try {
				await send("PUT", `/v1/uploads/${this.id}/parts/${n}`, this.partBlob(n), {}, (loaded) => {
					this.inFlight.set(n, loaded);
					this.report();
				});
				this.stored.add(n);
				return;
			} catch (error) {
				if (attempt >= ATTEMPTS || (error instanceof ApiError && error.status < 500 && error.status !== 429))
					throw error;
			} finally {
				this.inFlight.delete(n);
				this.report();
			}
		}
	}

	/** Sends every part not yet stored; throws (leaving the upload resumable) if one still fails. */
	async sendParts() {
		const queue = Array.from({ length: this.parts }, (_, i) => i + 1).filter((n) => !this.stored.has(n));
		const failures = [];
		const worker = async () => {
			for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
				await this.sendPart(n).catch((error) => failures.push(error));
			}
		};
		await Promise.all(Array.from({ length: PARALLEL_PARTS }, worker));
		if (failures.length > 0) throw new Error(`${failures.length} part(s) could not be sent: ${failures[0].message}`);
	}

	complete() {
		return send("POST", `/v1/uploads/${this.id}/complete`, null, { "Idempotency-Key": `complete-${this.id}` });
	}
}
