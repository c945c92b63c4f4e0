// A job's error table, a page at a time. The API streams the whole report (NDJSON), so a page is
// read from the stream and the rest is left unread: a job with a million errors costs one page.
import { failure, h, ndjsonRows, number } from "./api.js";

const PAGE_SIZE = 50;
const RELOAD_MS = 10_000;

/** Reads NDJSON rows `from` (0-based) until `count` more are found or the stream ends. */
async function readLines(res, from, count) {
	const rows = [];
	let index = 0;
	for await (const row of ndjsonRows(res)) {
		if (index++ >= from) rows.push(row);
		if (rows.length === count) break;
	}
	return rows;
}

const recordText = (record) => (typeof record === "string" ? record : JSON.stringify(record));

function row(error) {
	const where = error.line ?? error.index;
	const field = [error.field, error.column && error.column !== error.field ? `(column ${error.column})` : null]
		.filter(Boolean)
		.join(" ");
	return h(
		"tr",
		{},
		h("td", { class: "num" }, String(where)),
		h("td", {}, field),
		h("td", {}, h("code", {}, error.code)),
		h("td", {}, error.error),
		h("td", {}, h("code", { class: "record" }, recordText(error.record))),
	);
}

export class ErrorTable {
	constructor(jobId) {
		this.jobId = jobId;
		this.page = 0;
		this.failed = -1;
		this.loadedAt = 0;
		this.body = document.querySelector("#errors tbody");
		this.message = document.getElementById("errors-message");
		this.label = document.getElementById("errors-page");
		this.prev = document.getElementById("errors-prev");
		this.next = document.getElementById("errors-next");
		this.prev.addEventListener("click", () => this.show(this.page - 1));
		this.next.addEventListener("click", () => this.show(this.page + 1));
	}

	/**
	 * Reloads the current page when the job's failed count has changed: while the job runs at most
	 * every 10 s (each load is a request against the tenant's rate limit), and once more at its end.
	 */
	update(failed, ended) {
		if (failed === this.failed || (!ended && Date.now() - this.loadedAt < RELOAD_MS)) return;
		this.failed = failed;
		this.loadedAt = Date.now();
		this.show(this.page);
	}

	async show(page) {
		const res = await fetch(`/v1/jobs/${encodeURIComponent(this.jobId)}/errors`, {
			credentials: "same-origin",
			headers: { Accept: "application/x-ndjson" },
		});
		if (!res.ok) {
			this.message.textContent = `The errors could not be loaded: ${(await failure(res)).message}`;
			return;
		}
		// One row more than a page says whether there is a next page.
		const rows = await readLines(res, page * PAGE_SIZE, PAGE_SIZE + 1);
		this.page = page;
		this.body.replaceChildren(...rows.slice(0, PAGE_SIZE).map(row));
		const first = page * PAGE_SIZE + 1;
		const last = page * PAGE_SIZE + Math.min(rows.length, PAGE_SIZE);
		this.message.textContent =
			this.failed === 0
				? "No failed records."
				: `Failed records ${number(first)} to ${number(last)} of ${number(this.failed)}.`;
		this.label.textContent = `Page ${page + 1} of ${Math.max(1, Math.ceil(this.failed / PAGE_SIZE))}`;
		this.prev.disabled = page === 0;
		this.next.disabled = rows.length <= PAGE_SIZE;
		if (document.activeElement?.disabled) (this.prev.disabled ? this.next : this.prev).focus();
	}
}
