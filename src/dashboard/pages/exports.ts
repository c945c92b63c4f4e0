import { html } from "hono/html";
import { page, type Viewer } from "../layout";
import { RECORD_TYPES } from "./import";

export function exportsPage(viewer: Viewer) {
	return page(
		{ title: "Export", current: "exports", viewer, script: "exports.js" },
		html`<h1>Export records</h1>
<p>The file imports back as it is: importing it again changes nothing.</p>
<form id="export-form" class="stack">
	<label for="type">Record type</label>
	<select id="type" name="type">
		${RECORD_TYPES.map(([value, label]) => html`<option value="${value}">${label}</option>`)}
	</select>
	<fieldset>
		<legend>Format</legend>
		<label><input type="radio" name="format" value="csv" checked> CSV, with the import's columns</label>
		<label><input type="radio" name="format" value="ndjson"> NDJSON, which keeps every value's type</label>
	</fieldset>
	<fieldset class="stack">
		<legend>Only the records that match (all optional)</legend>
		<label for="status">Status (users only)</label>
		<select id="status" name="status">
			<option value="">Any</option>
			<option value="active">Active</option>
			<option value="inactive">Inactive</option>
		</select>
		<label for="updated-since">Written since (your local time)</label>
		<input id="updated-since" name="updatedSince" type="datetime-local">
		<label for="company">Company id</label>
		<input id="company" name="companyId" autocomplete="off" spellcheck="false">
	</fieldset>
	<div id="export-error" class="error" role="alert" hidden></div>
	<button type="submit" id="start">Start the export</button>
</form>
<section id="export" class="card" aria-labelledby="export-h" hidden>
	<h2 id="export-h">Export</h2>
	<progress id="export-progress" max="100" value="0" aria-label="Records exported" aria-describedby="export-text"></progress>
	<p id="export-text" role="status"></p>
	<p class="actions">
		<a id="export-file" href="#" hidden>Download the file</a>
		<a id="export-job" href="#">See the export's job</a>
	</p>
</section>`,
	);
}
