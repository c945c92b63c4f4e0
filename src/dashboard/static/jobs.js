// The jobs list: a page of jobs newest first; rows of running jobs follow their event streams, and
// the page reloads itself every 10 s while jobs wait, so the next one is seen starting.
import { api, chip, ENDED, follow, h, number, when } from "./api.js";

const PAGE_SIZE = 20;
const params = new URLSearchParams(location.search);
const status = params.get("status") ?? "";
const cursor = params.get("cursor");
const tbody = document.querySelector("#jobs tbody");
const message = document.getElementById("jobs-message");
const streams = new Map();
let reload;

function progressCell(job) {
	const percent = Math.floor(job.progress * 100);
	const label = job.status === "pending" && job.position ? `waiting, ${job.position} in line` : `${percent} %`;
	return [
		h("progress", { max: 100, value: percent, "aria-label": `Job ${job.id}: ${label}` }),
		h("span", { class: "percent" }, label),
	];
}

function recordsCell(job) {
	const { processed, total, failed } = job.counts;
	return [
		`${number(processed)} / ${number(total)}`,
		failed > 0 ? h("div", { class: "failed" }, `${number(failed)} failed`) : null,
	];
}

/** Fills a row in place, so a keyboard user's focus on the job's link survives live updates. */
function fill(tr, job) {
	const [, statusCell, progress, records] = tr.cells;
	statusCell.replaceChildren(
		...[chip(job.status), job.dryRun && h("span", { class: "tag" }, "dry run")].filter(Boolean),
	);
	progress.replaceChildren(...progressCell(job));
	records.replaceChildren(...recordsCell(job).filter(Boolean));
}

function row(job) {
	const tr = h(
		"tr",
		{ id: `job-${job.id}` },
		h(
			"td",
			{},
			h("a", { href: `/app/jobs/${encodeURIComponent(job.id)}` }, job.id),
			h("div", { class: "muted" }, job.description),
		),
		h("td"),
		h("td", { class: "progress" }),
		h("td", { class: "num" }),
		h("td", {}, when(job.createdAt)),
	);
	fill(tr, job);
	return tr;
}

function watch(job) {
	if (job.status !== "processing" || streams.has(job.id)) return;
	const stop = follow(job.id, (update) => {
		const tr = document.getElementById(`job-${update.id}`);
		if (tr) fill(tr, update);
		if (ENDED.includes(update.status)) {
			streams.delete(update.id);
			scheduleReload(500);
		}
	});
	streams.set(job.id, stop);
}

function scheduleReload(ms) {
	clearTimeout(reload);
	reload = setTimeout(load, ms);
}

function pageLinks(nextCursor) {
	const next = document.getElementById("next-page");
	next.hidden = !nextCursor;
	if (nextCursor) next.href = `/app/jobs?${new URLSearchParams({ ...(status ? { status } : {}), cursor: nextCursor })}`;
	document.getElementById("first-page").hidden = !cursor;
}

async function load() {
	const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
	if (status) query.set("status", status);
	if (cursor) query.set("cursor", cursor);
	let page;
	try {
		page = await api(`/v1/jobs?${query}`);
	} catch (error) {
		message.textContent = `The jobs could not be loaded: ${error.message}`;
		return;
	}
	for (const job of page.data) {
		const tr = document.getElementById(`job-${job.id}`);
		if (tr) fill(tr, job);
	}
	// Rows are only rebuilt when the list itself changed: moving a row would take focus from it.
	const same = page.data.map((job) => `job-${job.id}`).join() === [...tbody.rows].map((tr) => tr.id).join();
	if (!same) tbody.replaceChildren(...page.data.map((job) => document.getElementById(`job-${job.id}`) ?? row(job)));
	message.textContent = page.data.length > 0 ? "" : status ? `No ${status} jobs.` : "No jobs yet.";
	pageLinks(page.nextCursor);
	for (const job of page.data) watch(job);
	if (page.data.some((job) => job.status === "pending")) scheduleReload(10_000);
}

load();
