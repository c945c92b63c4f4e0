import { randomUUID } from "node:crypto";
import { closeSync, createWriteStream, openAsBlob, openSync, readSync, statSync } from "node:fs";
import { basename } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Command, Option } from "commander";
import {
	type Client,
	type FileFormat,
	type ImportOptions,
	type Job,
	okResponse,
	type RecordType,
	STAGED_ABOVE,
	uploadFile,
} from "../../src/client";
import { printChanges } from "../changes";
import { client, connection, type Globals, retryPolicy } from "../connection";
import { onInterrupt } from "../interrupt";
import { readMapping } from "../mapping";
import { EXIT, print, printJson, UsageError } from "../output";
import { bytes, uploadBar } from "../progress";
import { uploadState } from "../resume";
import { jobExit, printSummary, watchJob } from "../watch";

const PARTS_IN_FLIGHT = 4;

type Flags = {
	type: RecordType;
	format?: FileFormat;
	dryRun?: boolean;
	preview?: boolean;
	watch: boolean;
	allowFailures?: boolean;
	upsert: boolean;
	skipExisting?: boolean;
	sendWelcomeEmail?: boolean;
	inviteMessage?: string;
	ifBusy?: "queue" | "reject";
	mapping?: string;
	sync?: "incremental" | "full";
	maxDeactivate?: number;
};

/** --max-deactivate: a fraction below 1 (0.1) or a whole count of users. */
function maxDeactivate(value: string): number {
	const n = Number(value);
	if (value.trim() === "" || !Number.isFinite(n) || n < 0 || (n >= 1 && !Number.isInteger(n)))
		throw new UsageError(`--max-deactivate takes a fraction below 1 (0.1 = 10 %) or a whole count, not ${value}`);
	return n;
}

/** The file's format from --format or its name (.csv, .ndjson, .jsonl, optionally .gz); gzip from its first bytes. */
function describeFile(path: string, format: FileFormat | undefined) {
	const stat = statSync(path, { throwIfNoEntry: false });
	if (!stat) throw new UsageError(`No such file: ${path}`);
	if (!stat.isFile()) throw new UsageError(`Not a file: ${path}`);
	const magic = Buffer.alloc(2);
	const fd = openSync(path, "r");
	readSync(fd, magic, 0, 2, 0);
	closeSync(fd);
	const gzip = magic[0] === 0x1f && magic[1] === 0x8b;
	const name = basename(path).toLowerCase().replace(/\.gz$/, "");
	const guessed = name.endsWith(".csv") ? "csv" : /\.(nd)?jsonl?$/.test(name) ? "ndjson" : undefined;
	const chosen = format ?? guessed;
	if (!chosen)
		throw new UsageError(`Cannot tell the format of ${path} from its name; add --format ndjson or --format csv.`);
	return { size: stat.size, gzip, format: chosen };
}

/** Saves the job's error report as CSV next to the input file. */
async function saveErrors(api: Client, job: Job, path: string): Promise<string> {
	const target = `${path}.errors.csv`;
	const res = await okResponse(
		api.v1.jobs[":id"].errors.$get({ param: { id: job.id }, query: {} }, { headers: { Accept: "text/csv" } }),
	);
	await pipeline(Readable.fromWeb(res.body! as never), createWriteStream(target));
	return target;
}

/**
 * Sends the file with an upload bar; Ctrl-C stops it and says how to resume. Returns undefined when
 * interrupted. A staged upload's id is remembered until it completes.
 */
async function send(
	api: Client,
	path: string,
	file: ReturnType<typeof describeFile>,
	flags: Flags,
	url: string,
	json: boolean,
) {
	const options: ImportOptions = {
		upsert: flags.upsert,
		dryRun: Boolean(flags.dryRun),
		sendWelcomeEmail: Boolean(flags.sendWelcomeEmail),
		skipExisting: Boolean(flags.skipExisting),
		...(flags.inviteMessage === undefined ? {} : { inviteMessage: flags.inviteMessage }),
		...(flags.sync === undefined ? {} : { sync: flags.sync }),
		...(flags.maxDeactivate === undefined ? {} : { maxDeactivate: flags.maxDeactivate }),
	};
	const mapping = readMapping(flags.mapping);
	const staged = file.size > STAGED_ABOVE;
	const state = staged ? await uploadState(path, { url, type: flags.type, format: file.format, options }) : undefined;
	const log = (line: string) => json || process.stderr.write(`${line}\n`);
	const how = staged ? `in parts, ${PARTS_IN_FLIGHT} at a time` : "in one request";
	log(
		state?.resume
			? `Resuming upload ${state.resume} of ${path}: only the parts the server lacks are sent`
			: `Uploading ${path} (${bytes(file.size)}, ${file.format}${file.gzip ? ", gzip" : ""}) ${how}`,
	);
	const controller = new AbortController();
	const release = onInterrupt(() => controller.abort());
	const bar = json ? undefined : uploadBar();
	let barStarted = false;
	let uploadId = state?.resume;
	try {
		const result = await uploadFile(api, (await openAsBlob(path)) as Blob, {
			type: flags.type,
			format: file.format,
			gzip: file.gzip,
			options,
			mapping,
			ifBusy: flags.ifBusy,
			partsInFlight: PARTS_IN_FLIGHT,
			resume: state?.resume,
			onUpload: (id) => {
				uploadId = id;
				state?.save(id);
			},
			onProgress: (sent, total) => {
				if (!bar) return;
				// Started at the first report, so a resumed upload's rate counts only what this run sends.
				if (barStarted) bar.update(sent);
				else bar.start(total, sent);
				barStarted = true;
				if (sent < total) return;
				// The server answers once the whole file is cut into chunks and stored, which takes a while for big files.
				bar.stop();
				log("Sent; the server is reading the file into chunks");
			},
			idempotencyKey: randomUUID(),
			retry: retryPolicy,
			signal: controller.signal,
		});
		state?.clear();
		log(
			`Job ${result.job.id} ${result.job.status}${result.job.position ? ` (position ${result.job.position} in the tenant's queue)` : ""}`,
		);
		return result;
	} catch (error) {
		if (!controller.signal.aborted) throw error;
		bar?.stop();
		process.stderr.write(
			uploadId
				? `Upload interrupted. Run the same command again to resume upload ${uploadId}; only the missing parts are sent.\n`
				: "Upload interrupted; nothing was imported.\n",
		);
		return undefined;
	} finally {
		bar?.stop();
		release();
	}
}

async function run(path: string, flags: Flags, globals: Globals): Promise<number> {
	const started = Date.now();
	const file = describeFile(path, flags.format);
	const { url, key } = connection(globals);
	const api = client(url, key);
	const json = Boolean(globals.json);
	const result = await send(api, path, file, flags, url, json);
	if (!result) return EXIT.interrupted;
	const uploadMs = Date.now() - started;
	const job = flags.watch ? await watchJob(api, result.job, { json }) : result.job;
	const errorsFile = flags.watch && job.counts.failed > 0 ? await saveErrors(api, job, path) : undefined;
	const totalMs = Date.now() - started;
	if (json)
		printJson({ job, upload: result.upload, errorsFile, seconds: { total: totalMs / 1000, upload: uploadMs / 1000 } });
	else if (flags.watch) {
		printSummary(job, { totalMs, uploadMs }, errorsFile);
		if (flags.preview && job.status === "completed") {
			await printChanges(api, job.id);
			print(`\nNothing was written. Run it for real with \`cohort jobs commit ${job.id}\`.`);
		}
	} else print(`Follow it with \`cohort jobs watch ${job.id}\`.`);
	return flags.watch ? jobExit(job, flags.allowFailures) : EXIT.ok;
}

export function importCommand(globals: () => Globals) {
	return new Command("import")
		.description("Import a file of records (NDJSON or CSV, gzip or not) as a job, and follow it to the end")
		.argument("<file>", "the file; above 90 MiB it is sent in parts, and an interrupted upload resumes when run again")
		.addOption(
			new Option("-t, --type <type>", "what the records are")
				.choices(["users", "companies", "enrollments"])
				.makeOptionMandatory(),
		)
		.addOption(
			new Option("-f, --format <format>", "the file's format, when its name does not say").choices(["ndjson", "csv"]),
		)
		.option("--dry-run", "validate and count everything, write nothing")
		.option("--preview", "a dry run that then prints what it would change; `cohort jobs commit ID` runs it for real")
		.option("--no-watch", "return once the job exists instead of following it")
		.option("--allow-failures", "exit 0 even when some records failed")
		.option("--no-upsert", "records that exist already fail instead of being updated")
		.option("--skip-existing", "records that exist already are skipped")
		.option("--send-welcome-email", "send a welcome message to each created user")
		.option("--invite-message <text>", "the text of the welcome message")
		.option(
			"--mapping <mapping>",
			'CSV columns to fields: JSON {"header": "field"}, @file with that JSON, or a saved mapping\'s name',
		)
		.addOption(new Option("--if-busy <what>", "when another job of the tenant runs").choices(["queue", "reject"]))
		.addOption(
			new Option(
				"--sync <mode>",
				"full: users the file lacks become inactive once it is imported (users only)",
			).choices(["incremental", "full"]),
		)
		.addOption(
			new Option(
				"--max-deactivate <n>",
				"with --sync full: the most users it may deactivate, a fraction (0.1, the default) or a count; above it nobody is",
			).argParser(maxDeactivate),
		)
		.action(async function (this: Command, path: string, flags: Flags) {
			process.exitCode = await run(path, { ...flags, dryRun: flags.dryRun || flags.preview }, globals());
		});
}
