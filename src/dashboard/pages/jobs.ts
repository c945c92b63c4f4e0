import { html } from "hono/html";
import { JOB_STATUSES } from "../../schemas/jobs";
import { page, type Viewer } from "../layout";

export function jobsPage(viewer: Viewer, status: string) {
	return page(
		{ title: "Jobs", current: "jobs", viewer, script: "jobs.js" },
		html`<h1>Jobs</h1>
<form class="filter" method="get" action="/app/jobs">
	<label for="status">Status</label>
	<select id="status" name="status">
		<option value="">All</option>
		${JOB_STATUSES.map((s) => html`<option value="${s}"${s === status ? html` selected` : ""}>${s}</option>`)}
	</select>
	<button type="submit" class="secondary">Filter</button>
</form>
<p id="jobs-message" role="status" class="muted"></p>
<div class="table-wrap" role="region" aria-labelledby="jobs-caption" tabindex="0">
	<table id="jobs">
		<caption id="jobs-caption">Jobs, newest first${status ? html` (${status})` : ""}</caption>
		<thead>
			<tr><th scope="col">Job</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Records</th><th scope="col">Created</th></tr>
		</thead>
		<tbody></tbody>
	</table>
</div>
<nav class="pager" aria-label="Pages of jobs">
	<a id="first-page" href="/app/jobs${status ? `?status=${status}` : ""}" hidden>First page</a>
	<a id="next-page" href="#" hidden>Next page</a>
</nav>`,
	);
}
