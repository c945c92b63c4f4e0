// The import page: a file dropped or picked, its type and options, an upload with a progress bar,
// then the job page. A dry run stays here and shows what the import would do before anything is
// written, with a button to run it for real.
import { ENDED, follow, h, number } from "./api.js";
import { fileFormat, STAGED_ABOVE, StagedUpload, uploadWhole } from "./upload.js";

const $ = (id) => document.getElementById(id);
const form = $("import-form");
const input = $("file");
const drop = $("drop");
let file = null;
let staged = null;

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function choose(chosen) {
	file = chosen ?? null;
	$("file-info").textContent = file
		? `${file.name}, ${mib(file.size)}${file.size > STAGED_ABOVE ? ", sent in parts" : ""}`
		: "";
}

function fail(text) {
	$("import-error").textContent = text;
	$("import-error").hidden = !text;
}

input.addEventListener("change", () => choose(input.files[0]));
// A file dropped anywhere else would make the browser leave the page to open it.
for (const type of ["dragover", "drop"]) window.addEventListener(type, (event) => event.preventDefault());
drop.addEventListener("dragover", () => drop.classList.add("over"));
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
	drop.classList.remove("over");
	const files = event.dataTransfer?.files;
	if (!files?.length) return;
	input.files = files;
	choose(files[0]);
});

function settings() {
	const existing = form.elements.existing.value;
	return {
		type: $("type").value,
		dryRun: $("dry-run").checked,
		sendWelcomeEmail: $("welcome").checked,
		upsert: existing !== "reject",
		skipExisting: existing === "skip",
	};
}

function progress(bytes) {
	const percent = file.size === 0 ? 100 : Math.floor((bytes / file.size) * 100);
	$("upload-progress").value = percent;
	$("upload-text").textContent = `${percent} % uploaded (${mib(bytes)} of ${mib(file.size)})`;
}

async function upload(options) {
	const { type, ...flags } = options;
	if (file.size <= STAGED_ABOVE) {
		const query = new URLSearchParams({
			type,
			...Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, String(v)])),
		});
		return uploadWhole(file, query, progress);
	}
	if (!staged) {
		const next = new StagedUpload(file, { type, format: fileFormat(file.name).format, options: flags }, progress);
		await next.start();
		staged = next;
	}
	await staged.sendParts();
	return staged.complete();
}

function preview(job, options) {
	$("preview").hidden = false;
	$("preview-link").href = `/app/jobs/${encodeURIComponent(job.id)}`;
	const counts = ["total", "created", "updated", "unchanged", "skipped", "failed"].filter(
		(k) => job.counts[k] !== undefined,
	);
	$("preview-counts").replaceChildren(
		...counts.map((k) => h("div", {}, h("dt", {}, k), h("dd", {}, number(job.counts[k])))),
	);
	if (!ENDED.includes(job.status)) {
		$("preview-text").textContent = `Checking: ${number(job.counts.processed)} of ${number(job.counts.total)} records.`;
		return;
	}
	$("preview-text").textContent =
		job.status === "completed"
			? `The dry run checked ${number(job.counts.total)} records; nothing was written. An import would do this:`
			: `The dry run ${job.status}: ${job.errorMessage ?? ""}`;
	const run = $("run-for-real");
	run.hidden = job.status !== "completed";
	run.onclick = () => start({ ...options, dryRun: false });
}

async function start(options) {
	fail("");
	const button = $("start");
	button.disabled = true;
	$("resume").hidden = true;
	$("upload").hidden = false;
	try {
		const job = await upload(options);
		$("upload-text").textContent = "Uploaded.";
		if (!options.dryRun) return location.assign(`/app/jobs/${encodeURIComponent(job.id)}`);
		staged = null;
		preview(job, options);
		follow(job.id, (update) => preview(update, options));
	} catch (error) {
		fail(`The upload failed: ${error.message}`);
		if (staged) {
			$("resume").hidden = false;
			$("resume").onclick = () => start(options);
		}
	} finally {
		button.disabled = false;
	}
}

form.addEventListener("submit", (event) => {
	event.preventDefault();
	if (!file) return fail("Choose a file first.");
	if (!fileFormat(file.name)) return fail("The file name must end in .csv, .ndjson or .jsonl (optionally .gz).");
	if (file.size > STAGED_ABOVE && fileFormat(file.name).gzip)
		return fail("Files above 90 MiB must be sent uncompressed.");
	$("preview").hidden = true;
	staged = null;
	start(settings());
});
