// One job: status, progress with rate and ETA, counts, the records/s chart, the error table and
// downloads, followed live until the job ends; cancel, retry, commit and undo after a confirmation.
import { api, chip, download, ENDED, explain, follow, h, idempotencyKey, number, progressText, when } from "./api.js";
import { ChangeControl } from "./change.js";
import { RateChart } from "./chart.js";
import { ErrorTable } from "./errors.js";

const id = document.getElementById("job").dataset.jobId;
const path = `/v1/jobs/${encodeURIComponent(id)}`;
const $ = (elementId) => document.getElementById(elementId);
const chart = new RateChart($("chart"), $("chart-caption"), id);
const errors = new ErrorTable(id);
const change = new ChangeControl(id, { confirm: confirmAction, showError });
const COUNTS = ["total", "processed", "created", "updated", "unchanged", "skipped", "failed", "deactivated"];
let shownStatus = "";

/** A sentence of the page's own, or `prefix: ` and the API's words for `error`. */
function showError(prefix, error) {
	$("job-error").replaceChildren(...(error ? explain(prefix, error) : [prefix]));
	$("job-error").hidden = !prefix;
}

function meta(job) {
	const parts = [`Created ${when(job.createdAt)}`];
	if (job.createdBy) parts.push(`by ${job.createdBy.keyName ?? job.createdBy.keyId}`);
	if (job.startedAt) parts.push(`started ${when(job.startedAt)}`);
	if (job.completedAt) parts.push(`ended ${when(job.completedAt)}`);
	return `${parts.join(", ")}.`;
}

function downloads(job) {
	const links = [];
	if (job.links.fileDownload && job.status === "completed")
		links.push(h("a", { href: job.links.fileDownload, download: "" }, "Download the export"));
	if (job.counts.failed > 0) {
		if (job.links.errorsDownload)
			links.push(h("a", { href: job.links.errorsDownload }, "Download errors (signed link)"));
		links.push(
			h(
				"button",
				{ type: "button", class: "secondary", onclick: () => save(`${path}/errors`, "text/csv", "errors.csv") },
				"Download errors (CSV)",
			),
			h(
				"button",
				{
					type: "button",
					class: "secondary",
					onclick: () => save(`${path}/errors`, "application/x-ndjson", "errors.ndjson"),
				},
				"Download errors (NDJSON)",
			),
		);
	}
	if (job.links.resultsDownload) links.push(h("a", { href: job.links.resultsDownload }, "Download results"));
	else if (job.links.results) {
		links.push(
			h(
				"button",
				{ type: "button", class: "secondary", onclick: () => save(job.links.results, "text/csv", "results.csv") },
				"Download results (CSV)",
			),
		);
	}
	return links;
}

async function save(url, accept, suffix) {
	try {
		await download(url, accept, `${id}-${suffix}`);
	} catch (error) {
		showError("The download failed", error);
	}
}

function render(job) {
	$("job-description").textContent =
		`${job.type}: ${job.description}${job.dryRun ? " (dry run: nothing is written)" : ""}`;
	$("job-status").replaceWith(Object.assign(chip(job.status), { id: "job-status" }));
	if (job.status !== shownStatus) {
		// The live region speaks once per status change, not on every progress event.
		shownStatus = job.status;
		$("job-status-text").textContent = job.errorMessage
			? `The job ${job.status}: ${job.errorMessage}`
			: `The job is ${job.status}.`;
	}
	$("job-progress").value = Math.floor(job.progress * 100);
	$("job-rate").textContent = progressText(job);
	$("job-meta").textContent = meta(job);
	$("job-counts").replaceChildren(
		...COUNTS.filter((name) => job.counts[name] !== undefined && (name !== "deactivated" || job.counts[name] > 0)).map(
			(name) => h("div", {}, h("dt", {}, name), h("dd", {}, number(job.counts[name]))),
		),
	);
	$("downloads").replaceChildren(...downloads(job));
	const cancel = $("cancel");
	const retry = $("retry");
	if (cancel) cancel.hidden = ENDED.includes(job.status);
	if (retry) retry.hidden = !(ENDED.includes(job.status) && job.counts.failed > 0);
	chart.add(job);
	change.update(job);
	errors.update(job.counts.failed, ENDED.includes(job.status));
}

/** Asks in a modal dialog; resolves true only for the confirming button. */
function confirmAction(title, text, label) {
	const dialog = $("confirm");
	$("confirm-title").textContent = title;
	$("confirm-text").textContent = text;
	$("confirm-ok").textContent = label;
	dialog.returnValue = "";
	dialog.showModal();
	return new Promise((resolve) =>
		dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true }),
	);
}

$("cancel")?.addEventListener("click", async (event) => {
	const text =
		"A waiting job is cancelled at once; a running job stops after the chunk in progress, and what was written stays.";
	if (!(await confirmAction("Cancel this job?", text, "Cancel the job"))) return event.target.focus();
	try {
		render(await api(`${path}/cancel`, { method: "POST" }));
		// The button is gone now; focus goes to the sentence that says what happened.
		$("job-status-text").focus();
	} catch (error) {
		showError("The job could not be cancelled", error);
	}
});

$("retry")?.addEventListener("click", async (event) => {
	const text = "A new job runs over the failed records of this job only.";
	if (!(await confirmAction("Retry the failed records?", text, "Retry"))) return event.target.focus();
	try {
		const job = await api(`${path}/retry`, { method: "POST", headers: { "Idempotency-Key": idempotencyKey() } });
		location.assign(`/app/jobs/${encodeURIComponent(job.id)}`);
	} catch (error) {
		showError("The retry could not start", error);
	}
});

try {
	const job = await api(path);
	render(job);
	if (!ENDED.includes(job.status)) follow(id, render);
} catch (error) {
	if (error.status === 404) showError("There is no such job (or it was deleted after 30 days).");
	else showError("The job could not be loaded", error);
}
