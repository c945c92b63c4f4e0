// The exports page: record type, format and filters, then the export job followed live until its
// file can be downloaded (the job's signed link, so the download needs no key).
import { api, ENDED, explain, follow, idempotencyKey, number, progressText } from "./api.js";

const $ = (id) => document.getElementById(id);
const form = $("export-form");

function fail(prefix, error) {
	$("export-error").replaceChildren(...(error ? explain(prefix, error) : prefix ? [prefix] : []));
	$("export-error").hidden = !prefix;
}

/** The request body: only the filters given; status applies to users alone. */
function request() {
	const type = $("type").value;
	const filter = {};
	if ($("status").value && type === "users") filter.status = $("status").value;
	if ($("updated-since").value) filter.updatedSince = new Date($("updated-since").value).toISOString();
	if ($("company").value.trim()) filter.companyId = $("company").value.trim();
	return { type, format: form.elements.format.value, ...(Object.keys(filter).length > 0 ? { filter } : {}) };
}

function render(job) {
	$("export-progress").value = Math.floor(job.progress * 100);
	const file = $("export-file");
	file.hidden = job.status !== "completed";
	if (job.status === "completed") {
		file.href = job.links.fileDownload;
		file.setAttribute("download", "");
		$("export-text").textContent = `Exported ${number(job.counts.total)} records. The download link works for an hour.`;
	} else if (ENDED.includes(job.status)) {
		$("export-text").textContent = `The export ${job.status}${job.errorMessage ? `: ${job.errorMessage}` : "."}`;
	} else $("export-text").textContent = progressText(job);
}

// Status filters users only.
$("type").addEventListener("change", () => {
	$("status").disabled = $("type").value !== "users";
});

form.addEventListener("submit", async (event) => {
	event.preventDefault();
	fail("");
	const body = request();
	$("start").disabled = true;
	try {
		const job = await api("/v1/exports", {
			method: "POST",
			json: body,
			headers: { "Idempotency-Key": idempotencyKey() },
		});
		$("export").hidden = false;
		$("export-job").href = `/app/jobs/${encodeURIComponent(job.id)}`;
		render(job);
		if (!ENDED.includes(job.status)) follow(job.id, render);
	} catch (error) {
		fail("The export could not start", error);
	} finally {
		$("start").disabled = false;
	}
});
