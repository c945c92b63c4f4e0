// Change control on the job page: what a completed preview would change (per-field counts and the
// first updates, read from its results), Commit for a preview, Undo for a job that wrote, and links
// between a job and the commit or undo made from it. The API decides; a refusal is shown in its words.
import { api, ENDED, failure, h, idempotencyKey, ndjsonRows, number } from "./api.js";

const EXAMPLES = 10;

const shown = (value) => (value === null ? "(none)" : typeof value === "string" ? value : JSON.stringify(value));
const who = (row) => row.externalId ?? row.email ?? "";
const where = (row) => (row.line !== undefined ? `line ${row.line}` : `index ${row.index}`);
const jobLink = (jobId) => h("a", { href: `/app/jobs/${encodeURIComponent(jobId)}` }, jobId);

/** Per-field counts over every update of the results, the first updates field by field, who would go. */
async function summarize(path) {
	const res = await fetch(`${path}/results`, {
		credentials: "same-origin",
		headers: { Accept: "application/x-ndjson" },
	});
	if (!res.ok) throw await failure(res);
	const summary = { updates: 0, fields: new Map(), examples: [], deactivated: [] };
	for await (const row of ndjsonRows(res)) {
		if (row.outcome === "deactivated" && summary.deactivated.length < EXAMPLES) summary.deactivated.push(who(row));
		if (!row.changes) continue;
		summary.updates++;
		for (const [field, [before, after]] of Object.entries(row.changes)) {
			summary.fields.set(field, (summary.fields.get(field) ?? 0) + 1);
			if (summary.examples.length < EXAMPLES)
				summary.examples.push([where(row), who(row), field, shown(before), shown(after)]);
		}
	}
	return summary;
}

function table(id, caption, headings, rows) {
	return h(
		"div",
		{ class: "table-wrap", role: "region", "aria-labelledby": id, tabindex: "0" },
		h(
			"table",
			{},
			h("caption", { id }, caption),
			h(
				"thead",
				{},
				h(
					"tr",
					{},
					headings.map((label) => h("th", { scope: "col" }, label)),
				),
			),
			h(
				"tbody",
				{},
				rows.map((cells) =>
					h(
						"tr",
						{},
						cells.map((cell) => h("td", {}, cell)),
					),
				),
			),
		),
	);
}

function outcomeSentence(job) {
	const c = job.counts;
	const parts = [`create ${number(c.created)}`, `update ${number(c.updated)}`];
	if (c.deactivated > 0) parts.push(`deactivate ${number(c.deactivated)}`);
	return `Committing would ${parts.join(", ")} records; ${number(c.unchanged)} are unchanged, ${number(c.skipped)} skipped and ${number(c.failed)} failed.`;
}

export class ChangeControl {
	/** `confirm(title, text, label)` asks first; `showError(prefix, error)` shows a refusal. */
	constructor(job, { confirm, showError }) {
		this.id = job;
		this.path = `/v1/jobs/${encodeURIComponent(job)}`;
		this.confirm = confirm;
		this.showError = showError;
		this.checked = false;
		this.related = document.getElementById("job-related");
		this.commitButton = document.getElementById("commit");
		this.undoButton = document.getElementById("undo");
		this.commitButton?.addEventListener("click", (event) => this.commit(event));
		this.undoButton?.addEventListener("click", (event) => this.undo(event));
	}

	/** Once the job has ended: what it would change, and whether it was committed or undone already. */
	async update(job) {
		if (job.commitOf) this.related.replaceChildren("Commit of preview ", jobLink(job.commitOf), ".");
		if (job.undoOf) this.related.replaceChildren("Undo of job ", jobLink(job.undoOf), ".");
		if (this.checked || !ENDED.includes(job.status)) return;
		this.checked = true;
		const preview = job.dryRun && job.status === "completed";
		const wrote = job.counts.created + job.counts.updated + (job.counts.deactivated ?? 0) > 0;
		const undoable = !job.dryRun && !job.undoOf && !job.type.endsWith(".export") && wrote;
		if (preview) this.showSummary(job);
		if (!preview && !undoable) return;
		const made = await this.madeFrom(preview ? "-commit" : "-undo");
		if (made) {
			const what = preview ? "Committed as job " : "Undone by job ";
			this.related.replaceChildren(what, jobLink(made.id), ` (${made.status}).`);
			return;
		}
		if (preview && this.commitButton) this.commitButton.hidden = false;
		if (undoable && this.undoButton) this.undoButton.hidden = false;
	}

	/** The commit or undo of this job, when one was made (its id is fixed: `<id>-commit`, `<id>-undo`). */
	async madeFrom(suffix) {
		try {
			return await api(`/v1/jobs/${encodeURIComponent(this.id + suffix)}`);
		} catch (error) {
			if (error.status !== 404) this.showError("The job's commit or undo could not be looked up", error);
			return null;
		}
	}

	async showSummary(job) {
		const section = document.getElementById("changes");
		const text = document.getElementById("changes-text");
		const tables = document.getElementById("changes-tables");
		section.hidden = false;
		text.textContent = "Reading the preview's results…";
		try {
			const summary = await summarize(this.path);
			const parts = [];
			if (summary.updates > 0) {
				const fields = [...summary.fields].map(([field, n]) => [field, number(n)]);
				parts.push(table("fields-caption", "Updated records per field", ["Field", "Records"], fields));
				const heading = ["Where", "Record", "Field", "Before", "After"];
				parts.push(table("examples-caption", "The first updates", heading, summary.examples));
			}
			if (summary.deactivated.length > 0) {
				parts.push(
					h("h3", {}, "Users it would deactivate (the first ones)"),
					h(
						"ul",
						{},
						summary.deactivated.map((u) => h("li", {}, u)),
					),
				);
			}
			text.textContent =
				`${outcomeSentence(job)} ${summary.updates === 0 ? "No existing record would change." : ""}`.trim();
			tables.replaceChildren(...parts);
		} catch (error) {
			text.textContent = `The preview's results could not be read: ${error.message}`;
		}
	}

	async commit(event) {
		const text =
			"The previewed file is imported for real as a new job, without sending it again. If a record it would touch was written since the preview, nothing is written and the records are named.";
		if (!(await this.confirm("Commit this preview?", text, "Commit"))) return event.target.focus();
		await this.start("commit", "The preview could not be committed");
	}

	async undo(event) {
		const text =
			"A new job restores every record this job updated to what it was before, and removes the records it created with their enrollments and licenses. Records changed since are kept and reported.";
		if (!(await this.confirm("Undo this job?", text, "Undo the job"))) return event.target.focus();
		await this.start("undo", "The job could not be undone");
	}

	async start(action, failed) {
		try {
			const job = await api(`${this.path}/${action}`, {
				method: "POST",
				headers: { "Idempotency-Key": idempotencyKey() },
			});
			location.assign(`/app/jobs/${encodeURIComponent(job.id)}`);
		} catch (error) {
			this.showError(failed, error);
		}
	}
}
