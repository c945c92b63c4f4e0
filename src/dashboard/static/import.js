// The import page: a file dropped or picked, its type and options, an upload with a progress bar,
// then the job page. A dry run stays here and shows what the import would do before anything is
// written, with a button that commits it (the API runs the file it kept; nothing is sent again).
import { api, ENDED, explain, follow, h, idempotencyKey, number } from "./api.js";
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

/** A sentence of the page's own, or `prefix: ` and the API's words for `error`. */
function fail(prefix, error) {
	$("import-error").replaceChildren(...(error ? explain(prefix, error) : prefix ? [prefix] : []));
	$("import-error").hidden = !prefix;
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

// Full sync is for users only, and its threshold only with it.
const syncable = () => $("type").value === "users";
function toggleSync() {
	$("full-sync").disabled = !syncable();
	$("max-deactivate").disabled = !syncable() || !$("full-sync").checked;
}
$("type").addEventListener("change", toggleSync);
$("full-sync").addEventListener("change", toggleSync);

function settings() {
	const existing = form.elements.existing.value;
	const fullSync = syncable() && $("full-sync").checked;
	const limit = $("max-deactivate").value.trim();
	return {
		type: $("type").value,
		mapping: $("mapping").value.trim() || undefined,
		dryRun: $("dry-run").checked,
		sendWelcomeEmail: $("welcome").checked,
		upsert: existing !== "reject",
		skipExisting: existing === "skip",
		...(fullSync ? { sync: "full" } : {}),
		// A number as the API reads one; anything else goes as typed, and the API's answer says what is wrong.
		...(fullSync && limit ? { maxDeactivate: Number.isFinite(Number(limit)) ? Number(limit) : limit } : {}),
	};
}

/** A staged upload names its mapping in JSON: a profile's name as a string, columns as an object. */
function mappingRef(text) {
	if (!text.startsWith("{")) return text;
	try {
		return JSON.parse(text);
	} catch {
		throw new Error("The mapping is not valid JSON");
	}
}

function progress(bytes) {
	const percent = file.size === 0 ? 100 : Math.floor((bytes / file.size) * 100);
	$("upload-progress").value = percent;
	$("upload-text").textContent = `${percent} % uploaded (${mib(bytes)} of ${mib(file.size)})`;
}

async function upload(options) {
	const { type, mapping, ...flags } = options;
	if (file.size <= STAGED_ABOVE) {
		const query = new URLSearchParams({
			type,
			...(mapping ? { mapping } : {}),
			...Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, String(v)])),
		});
		return uploadWhole(file, query, progress);
	}
	if (!staged) {
		const spec = { type, format: fileFormat(file.name).format, options: flags };
		const next = new StagedUpload(file, mapping ? { ...spec, mapping: mappingRef(mapping) } : spec, progress);
		await next.start();
		staged = next;
	}
	await staged.sendParts();
	return staged.complete();
}

function preview(job, options) {
	$("preview").hidden = false;
	$("preview-link").href = `/app/jobs/${encodeURIComponent(job.id)}`;
	const counts = ["total", "created", "updated", "unchanged", "skipped", "failed", "deactivated"].filter(
		(k) => job.counts[k] !== undefined && (k !== "deactivated" || options.sync === "full"),
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
	run.onclick = () => commit(job.id);
}

async function commit(id) {
	fail("");
	try {
		const job = await api(`/v1/jobs/${encodeURIComponent(id)}/commit`, {
			method: "POST",
			headers: { "Idempotency-Key": idempotencyKey() },
		});
		location.assign(`/app/jobs/${encodeURIComponent(job.id)}`);
	} catch (error) {
		fail("The dry run could not be committed", error);
	}
}

/** Saved mappings are offered as the field's suggestions; typing a name or JSON works without them. */
async function loadMappings() {
	const { data } = await api("/v1/mappings").catch(() => ({ data: [] }));
	$("mappings").replaceChildren(...data.map((m) => h("option", { value: m.name }, `${m.name} (${m.type})`)));
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
		fail("The upload failed", error);
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

toggleSync();
loadMappings();
