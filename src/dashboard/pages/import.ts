import { html } from "hono/html";
import { page, type Viewer } from "../layout";

export const RECORD_TYPES = [
	["users", "Users"],
	["companies", "Companies"],
	["enrollments", "Enrollments"],
] as const;

export function importPage(viewer: Viewer) {
	return page(
		{ title: "Import", current: "import", viewer, script: "import.js" },
		html`<h1>Import a file</h1>
<form id="import-form" class="stack">
	<div id="drop" class="drop">
		<p>Drop a CSV or NDJSON file here (gzip too), or pick one.</p>
		<label for="file">File</label>
		<input id="file" name="file" type="file" required accept=".csv,.ndjson,.jsonl,.gz,text/csv,application/x-ndjson">
		<p id="file-info" class="muted" aria-live="polite"></p>
	</div>
	<label for="type">Record type</label>
	<select id="type" name="type">
		${RECORD_TYPES.map(([value, label]) => html`<option value="${value}">${label}</option>`)}
	</select>
	<label for="mapping">Column mapping (CSV, optional): a saved mapping's name, or JSON {"header": "field"}</label>
	<input id="mapping" name="mapping" list="mappings" autocomplete="off" spellcheck="false" aria-describedby="mapping-hint">
	<datalist id="mappings"></datalist>
	<p id="mapping-hint" class="muted">Headers such as E-mail, Employee ID or First Name are matched without one.</p>
	<fieldset>
		<legend>Records that already exist</legend>
		<label><input type="radio" name="existing" value="upsert" checked> Update them (upsert)</label>
		<label><input type="radio" name="existing" value="skip"> Leave them as they are (skip existing)</label>
		<label><input type="radio" name="existing" value="reject"> Report each as a conflict</label>
	</fieldset>
	<fieldset>
		<legend>Options</legend>
		<label><input type="checkbox" id="dry-run" name="dryRun"> Dry run: check everything, write nothing</label>
		<label><input type="checkbox" id="welcome" name="sendWelcomeEmail"> Send a welcome email to each created user</label>
	</fieldset>
	<fieldset>
		<legend>Full sync (users)</legend>
		<label><input type="checkbox" id="full-sync" name="sync" aria-describedby="sync-hint"> The file is everyone: make users it lacks inactive</label>
		<label for="max-deactivate">Deactivate at most: a fraction below 1 or a count</label>
		<input id="max-deactivate" name="maxDeactivate" inputmode="decimal" placeholder="0.1" autocomplete="off">
		<p id="sync-hint" class="muted">When more users would go, nobody is deactivated and the job says so. Default: 10 % of the active users.</p>
	</fieldset>
	<div id="import-error" class="error" role="alert" hidden></div>
	<button type="submit" id="start">Upload and import</button>
</form>
<section id="upload" class="card" aria-labelledby="upload-h" hidden>
	<h2 id="upload-h">Upload</h2>
	<progress id="upload-progress" max="100" value="0" aria-label="Uploaded" aria-describedby="upload-text"></progress>
	<p id="upload-text" role="status"></p>
	<button type="button" id="resume" hidden>Resume upload</button>
</section>
<section id="preview" class="card" aria-labelledby="preview-h" hidden>
	<h2 id="preview-h">Dry run</h2>
	<p id="preview-text" role="status"></p>
	<dl id="preview-counts" class="counts"></dl>
	<p class="actions">
		<a id="preview-link" href="#">See the errors of the dry run</a>
		<button type="button" id="run-for-real" hidden>Import for real</button>
	</p>
</section>`,
	);
}
