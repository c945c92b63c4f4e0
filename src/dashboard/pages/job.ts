import { html } from "hono/html";
import { roleAtLeast } from "../../auth/keys";
import { page, type Viewer } from "../layout";

const confirmDialog = html`<dialog id="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text">
	<form method="dialog">
		<h2 id="confirm-title"></h2>
		<p id="confirm-text"></p>
		<div class="actions">
			<button value="confirm" id="confirm-ok"></button>
			<button value="dismiss" class="secondary" autofocus>Go back</button>
		</div>
	</form>
</dialog>`;

export function jobPage(viewer: Viewer, id: string) {
	const canWrite = roleAtLeast(viewer.role, "admin");
	return page(
		{ title: `Job ${id}`, current: "jobs", viewer, script: "job.js", vendor: ["uplot.js"], styles: ["uplot.css"] },
		html`<div id="job" data-job-id="${id}">
<p class="crumbs"><a href="/app/jobs">All jobs</a></p>
<h1>Job <code>${id}</code></h1>
<p id="job-description" class="muted"></p>
<div id="job-error" class="error" role="alert" hidden></div>
<section class="card" aria-labelledby="progress-h">
	<h2 id="progress-h">Progress</h2>
	<p class="status-line"><span id="job-status" class="chip"></span> <span id="job-status-text" role="status" tabindex="-1"></span></p>
	<progress id="job-progress" max="100" value="0" aria-label="Records processed" aria-describedby="job-rate"></progress>
	<p id="job-rate"></p>
	<p id="job-meta" class="muted"></p>
	<p id="job-related"></p>
	${
		canWrite
			? html`<div class="actions">
		<button type="button" id="cancel" class="danger" hidden>Cancel job</button>
		<button type="button" id="retry" hidden>Retry failed records</button>
		<button type="button" id="undo" class="danger" hidden>Undo this job</button>
	</div>`
			: ""
	}
</section>
<section id="changes" class="card" aria-labelledby="changes-h" hidden>
	<h2 id="changes-h">What committing would change</h2>
	<p id="changes-text" role="status"></p>
	<div id="changes-tables"></div>
	${canWrite ? html`<p class="actions"><button type="button" id="commit" hidden>Commit: import for real</button></p>` : ""}
</section>
<section aria-labelledby="counts-h">
	<h2 id="counts-h">Counts</h2>
	<dl id="job-counts" class="counts"></dl>
</section>
<section aria-labelledby="chart-h">
	<h2 id="chart-h">Records per second</h2>
	<figure class="chart">
		<div id="chart" role="img" aria-label="Records per second over the job's life"></div>
		<figcaption id="chart-caption" class="muted">Drawn as records are processed.</figcaption>
	</figure>
</section>
<section aria-labelledby="errors-h">
	<h2 id="errors-h">Errors</h2>
	<p id="downloads" class="actions"></p>
	<p id="errors-message" class="muted" role="status"></p>
	<div class="table-wrap" role="region" aria-labelledby="errors-caption" tabindex="0">
		<table id="errors">
			<caption id="errors-caption">Failed records</caption>
			<thead>
				<tr><th scope="col">Line</th><th scope="col">Field</th><th scope="col">Code</th><th scope="col">Message</th><th scope="col">Original record</th></tr>
			</thead>
			<tbody></tbody>
		</table>
	</div>
	<nav class="pager" aria-label="Pages of errors">
		<button type="button" id="errors-prev" class="secondary" disabled>Previous page</button>
		<span id="errors-page"></span>
		<button type="button" id="errors-next" class="secondary" disabled>Next page</button>
	</nav>
</section>
</div>
${canWrite ? confirmDialog : ""}`,
	);
}
