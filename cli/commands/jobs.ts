import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Command, Option } from "commander";
import { errorRows, type Job, ok, okResponse } from "../../src/client";
import { client, connection, type Globals } from "../connection";
import { print, printJson, table } from "../output";
import { number } from "../progress";
import { jobExit, printSummary, watchJob } from "../watch";

const api = (globals: Globals) => {
	const { url, key } = connection(globals);
	return client(url, key);
};

function printJob(job: Job) {
	const { counts } = job;
	const rows = [
		["id", job.id],
		["type", job.type],
		["description", job.description],
		["status", job.position ? `${job.status} (position ${job.position})` : job.status],
		["dry run", job.dryRun ? "yes" : "no"],
		["created", job.createdAt],
		["started", job.startedAt ?? "-"],
		["completed", job.completedAt ?? "-"],
		["progress", `${number(counts.processed)} of ${number(counts.total)} (${Math.floor(job.progress * 100)}%)`],
		[
			"counts",
			`created ${counts.created}, updated ${counts.updated}, unchanged ${counts.unchanged}, skipped ${counts.skipped}, failed ${counts.failed}`,
		],
	];
	if (job.errorMessage) rows.push(["error", job.errorMessage]);
	print(table(rows));
}

/** Prints the job (JSON or human) and returns the exit status its state means. */
async function follow(globals: Globals, job: Job, allowFailures?: boolean): Promise<number> {
	const started = Date.now();
	const ended = await watchJob(api(globals), job, { json: globals.json });
	if (globals.json) printJson(ended);
	else printSummary(ended, { totalMs: Date.now() - started });
	return jobExit(ended, allowFailures);
}

export function jobsCommand(globals: () => Globals) {
	const jobs = new Command("jobs").description("List, follow, cancel, retry, commit and undo import jobs");

	jobs
		.command("list")
		.description("The tenant's jobs, newest first")
		.addOption(
			new Option("--status <status>", "only jobs in this state").choices([
				"pending",
				"processing",
				"completed",
				"failed",
				"cancelled",
			]),
		)
		.option("--limit <n>", "how many", "20")
		.option("--cursor <cursor>", "the nextCursor of the previous page")
		.action(async (flags: { status?: Job["status"]; limit: string; cursor?: string }) => {
			const query = {
				limit: flags.limit,
				...(flags.status ? { status: flags.status } : {}),
				...(flags.cursor ? { cursor: flags.cursor } : {}),
			};
			const page = await ok(api(globals()).v1.jobs.$get({ query }));
			if (globals().json) return printJson(page);
			const rows = page.data.map((j) => [
				j.id,
				j.type,
				j.status,
				`${number(j.counts.processed)}/${number(j.counts.total)}`,
				number(j.counts.failed),
				j.createdAt,
			]);
			print(table([["ID", "TYPE", "STATUS", "PROCESSED", "FAILED", "CREATED"], ...rows], [3, 4]));
			if (page.nextCursor) print(`more: cohort jobs list --cursor ${page.nextCursor}`);
		});

	jobs
		.command("show")
		.description("One job: status, counts, progress")
		.argument("<id>")
		.action(async (id: string) => {
			const job = await ok(api(globals()).v1.jobs[":id"].$get({ param: { id } }));
			if (globals().json) printJson(job);
			else printJob(job);
		});

	jobs
		.command("watch")
		.description("Follow a job with a progress bar until it ends; exits 1 if it failed or has failed records")
		.argument("<id>")
		.option("--allow-failures", "exit 0 even when some records failed")
		.action(async (id: string, flags: { allowFailures?: boolean }) => {
			const job = await ok(api(globals()).v1.jobs[":id"].$get({ param: { id } }));
			process.exitCode = await follow(globals(), job, flags.allowFailures);
		});

	jobs
		.command("cancel")
		.description("Cancel a job: a pending one at once, a running one at its next chunk (what was written stays)")
		.argument("<id>")
		.action(async (id: string) => {
			const job = await ok(api(globals()).v1.jobs[":id"].cancel.$post({ param: { id } }));
			if (globals().json) printJson(job);
			else print(`Job ${job.id} ${job.status}`);
		});

	jobs
		.command("retry")
		.description("A new job over the failed records of an ended job")
		.argument("<id>")
		.option("--watch", "follow the new job to its end")
		.option("--allow-failures", "with --watch: exit 0 even when some records failed")
		.action(async (id: string, flags: { watch?: boolean; allowFailures?: boolean }) => {
			const job = await ok(api(globals()).v1.jobs[":id"].retry.$post({ param: { id } }));
			if (flags.watch) {
				process.exitCode = await follow(globals(), job, flags.allowFailures);
				return;
			}
			if (globals().json) printJson(job);
			else print(`Job ${job.id} ${job.status}: retrying ${number(job.counts.total)} records of ${id}`);
		});

	for (const [name, description, did] of [
		["commit", "Run a completed preview (import --preview) for real, without sending the file again", "committing"],
		[
			"undo",
			"A job that restores what a job updated and removes what it created; rows changed since are kept",
			"undoing",
		],
	] as const) {
		jobs
			.command(name)
			.description(description)
			.argument("<id>")
			.option("--watch", "follow the new job to its end")
			.option("--allow-failures", "with --watch: exit 0 even when some records failed")
			.action(async (id: string, flags: { watch?: boolean; allowFailures?: boolean }) => {
				const job = await ok(api(globals()).v1.jobs[":id"][name].$post({ param: { id } }));
				if (flags.watch) {
					process.exitCode = await follow(globals(), job, flags.allowFailures);
					return;
				}
				if (globals().json) printJson(job);
				else print(`Job ${job.id} ${job.status}: ${did} ${number(job.counts.total)} records of ${id}`);
			});
	}

	jobs
		.command("errors")
		.description("A job's failed records: a table, NDJSON with --json, or the CSV report with --csv")
		.argument("<id>")
		.option("--csv", "the report as CSV (cells that could run as spreadsheet formulas are escaped)")
		.option("-o, --output <file>", "write the report to a file instead of stdout")
		.action(async (id: string, flags: { csv?: boolean; output?: string }) => {
			const client = api(globals());
			if (flags.csv || flags.output || globals().json) {
				const accept = flags.csv ? "text/csv" : "application/x-ndjson";
				const res = await okResponse(
					client.v1.jobs[":id"].errors.$get({ param: { id }, query: {} }, { headers: { Accept: accept } }),
				);
				const target = flags.output ? createWriteStream(flags.output) : process.stdout;
				await pipeline(Readable.fromWeb(res.body! as never), target, { end: Boolean(flags.output) });
				return;
			}
			const rows: string[][] = [];
			for await (const row of errorRows(client, id)) {
				const where = row.line !== undefined ? `line ${row.line}` : `index ${row.index}`;
				rows.push([where, row.code, row.column ?? row.field ?? "", row.error]);
			}
			if (rows.length === 0) print(`Job ${id} has no failed records.`);
			else print(table([["WHERE", "CODE", "FIELD", "ERROR"], ...rows]));
		});

	jobs
		.command("results")
		.description("Every record's outcome in input order: NDJSON, or CSV with --csv")
		.argument("<id>")
		.option("--csv", "the results as CSV")
		.option("-o, --output <file>", "write them to a file instead of stdout")
		.action(async (id: string, flags: { csv?: boolean; output?: string }) => {
			const accept = flags.csv ? "text/csv" : "application/x-ndjson";
			const res = await okResponse(
				api(globals()).v1.jobs[":id"].results.$get({ param: { id }, query: {} }, { headers: { Accept: accept } }),
			);
			const target = flags.output ? createWriteStream(flags.output) : process.stdout;
			await pipeline(Readable.fromWeb(res.body! as never), target, { end: Boolean(flags.output) });
		});

	return jobs;
}
