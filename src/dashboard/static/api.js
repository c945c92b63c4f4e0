// What every dashboard page shares: calls to the public /v1 API with the session cookie, a small
// DOM builder (text is always set as text, never parsed as HTML) and number, time and job formatting.

export const ENDED = ["completed", "failed", "cancelled"];

export class ApiError extends Error {
	constructor(status, message, code, details = []) {
		super(message);
		this.status = status;
		this.code = code;
		this.details = details;
	}
}

const SHOWN_DETAILS = 20;

/** A failure as the API words it: its message, then its details (the records a conflict names). */
export function explain(prefix, error) {
	const details = error.details ?? [];
	const items = details.slice(0, SHOWN_DETAILS).map((d) => h("li", {}, d.path ? `${d.path}: ${d.message}` : d.message));
	if (details.length > SHOWN_DETAILS) items.push(h("li", {}, `and ${number(details.length - SHOWN_DETAILS)} more`));
	return [h("p", {}, `${prefix}: ${error.message}`), details.length > 1 ? h("ul", {}, items) : null];
}

/** Back to sign-in, returning here afterwards: the session ended, expired or its key was revoked. */
export function toSignIn() {
	const next = encodeURIComponent(location.pathname + location.search);
	location.assign(`/app/sign-in?ended=1&next=${next}`);
}

/** A random Idempotency-Key, so a write the browser sends twice makes one job. */
export const idempotencyKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

/** Turns a non-2xx answer into an ApiError with the envelope's message. */
export async function failure(res) {
	if (res.status === 401) toSignIn();
	const body = await res.json().catch(() => null);
	const error = body?.error;
	return new ApiError(res.status, error?.message ?? `The server answered ${res.status}`, error?.code, error?.details);
}

/** Calls the API as the signed-in key; the browser sends the session cookie (and Origin on writes). */
export async function api(path, { method = "GET", json, headers = {} } = {}) {
	const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
	if (json !== undefined) {
		init.body = JSON.stringify(json);
		init.headers["Content-Type"] = "application/json";
	}
	const res = await fetch(path, init);
	if (!res.ok) throw await failure(res);
	return res.status === 204 ? null : res.json();
}

/** `h("a", { href }, "text", child)`: attributes as attributes, `on*` as listeners, children as nodes or text. */
export function h(tag, attrs = {}, ...children) {
	const el = document.createElement(tag);
	for (const [name, value] of Object.entries(attrs)) {
		if (value === undefined || value === null || value === false) continue;
		if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
		else el.setAttribute(name, value === true ? "" : String(value));
	}
	el.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
	return el;
}

export const number = (n) => new Intl.NumberFormat("en").format(n);

export function duration(seconds) {
	const s = Math.max(0, Math.round(seconds));
	if (s < 60) return `${s} s`;
	if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
	return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export const when = (iso) => (iso ? new Date(iso).toLocaleString() : "");

export const chip = (status) => h("span", { class: `chip chip-${status}` }, status);

/** "42 % · 2,100 of 5,000 records · 812 records/s · about 4 s left", or where a pending job waits. */
export function progressText(job) {
	if (job.status === "pending") return job.position ? `Waiting: number ${job.position} in the queue` : "Waiting";
	const parts = [
		`${Math.floor(job.progress * 100)} %`,
		`${number(job.counts.processed)} of ${number(job.counts.total)} records`,
	];
	if (job.recordsPerSecond > 0) parts.push(`${number(job.recordsPerSecond)} records/s`);
	if (job.status === "processing" && job.etaSeconds !== null) parts.push(`about ${duration(job.etaSeconds)} left`);
	return parts.join(" · ");
}

/** Follows a job's server-sent events until it ends; returns a function that stops following. */
export function follow(id, onJob) {
	const source = new EventSource(`/v1/jobs/${encodeURIComponent(id)}/events`);
	source.addEventListener("job", (event) => {
		const job = JSON.parse(event.data);
		if (ENDED.includes(job.status)) source.close();
		onJob(job);
	});
	// EventSource retries dropped streams by itself but gives up on an error status; a 401 among
	// those means the session ended, which a plain request finds out and turns into sign-in.
	source.addEventListener("error", () => {
		if (source.readyState === EventSource.CLOSED) api(`/v1/jobs/${encodeURIComponent(id)}`).catch(() => {});
	});
	return () => source.close();
}

/** The objects of an NDJSON answer, read as they arrive; leaving the loop early stops the download. */
export async function* ndjsonRows(res) {
	const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
	let rest = "";
	try {
		for (;;) {
			const { done, value } = await reader.read();
			const lines = (rest + (value ?? "")).split("\n");
			rest = done ? "" : lines.pop();
			for (const line of lines) if (line.trim()) yield JSON.parse(line);
			if (done) return;
		}
	} finally {
		await reader.cancel().catch(() => {});
	}
}

/** Saves a response body as a file through a temporary link (the browser sends the cookie, not a key). */
export async function download(path, accept, filename) {
	const res = await fetch(path, { credentials: "same-origin", headers: { Accept: accept } });
	if (!res.ok) throw await failure(res);
	const url = URL.createObjectURL(await res.blob());
	const link = h("a", { href: url, download: filename, hidden: true });
	document.body.append(link);
	link.click();
	link.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
