import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Command, Option } from "commander";
import { ok, okResponse } from "../../src/client";
import { client, connection, type Globals } from "../connection";
import { EXIT, print, printJson, UsageError } from "../output";
import { number } from "../progress";
import { watchJob } from "../watch";

type Flags = {
	type: "users" | "companies" | "enrollments";
	format: "ndjson" | "csv";
	out?: string;
	updatedSince?: string;
	company?: string;
	status?: "active" | "inactive";
};

/** `cohort export`: an export job, followed to its end, and its file written to --out or stdout. */
export function exportCommand(globals: () => Globals) {
	return new Command("export")
		.description("Export records into a file that imports back unchanged; waits for the job and downloads the file")
		.addOption(
			new Option("--type <type>", "what to export")
				.choices(["users", "companies", "enrollments"])
				.makeOptionMandatory(),
		)
		.addOption(new Option("--format <format>", "the file's format").choices(["ndjson", "csv"]).default("ndjson"))
		.option("-o, --out <file>", "write the file here (default: stdout)")
		.option("--updated-since <time>", "only records written at or after this ISO 8601 time")
		.option("--company <companyId>", "only this company's users, their enrollments, or the company")
		.addOption(new Option("--status <status>", "users only: active or inactive ones").choices(["active", "inactive"]))
		.action(async (flags: Flags) => {
			const { json } = globals();
			if (json && !flags.out)
				throw new UsageError("With --json the job goes to stdout: give the file a place with --out");
			const { url, key } = connection(globals());
			const api = client(url, key);
			const filter = {
				...(flags.updatedSince ? { updatedSince: flags.updatedSince } : {}),
				...(flags.company ? { companyId: flags.company } : {}),
				...(flags.status ? { status: flags.status } : {}),
			};
			const created = await ok(
				api.v1.exports.$post({
					json: { type: flags.type, format: flags.format, ...(Object.keys(filter).length > 0 ? { filter } : {}) },
				}),
			);
			// The file may be going to stdout: the progress bar is on stderr, and so is every word about the job.
			const job = await watchJob(api, created, { json });
			if (job.status !== "completed") {
				process.stderr.write(`Export ${job.id} ${job.status}${job.errorMessage ? `: ${job.errorMessage}` : ""}\n`);
				process.exitCode = EXIT.failed;
				return;
			}
			const res = await okResponse(api.v1.exports[":id"].file.$get({ param: { id: job.id }, query: {} }));
			const target = flags.out ? createWriteStream(flags.out) : process.stdout;
			await pipeline(Readable.fromWeb(res.body! as never), target, { end: Boolean(flags.out) });
			if (json) printJson({ job, file: flags.out });
			else if (flags.out)
				print(`Exported ${number(job.counts.unchanged)} ${flags.type} to ${flags.out} (job ${job.id})`);
		});
}
