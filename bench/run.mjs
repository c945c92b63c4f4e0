// `npm run bench [-- options]`: starts Cohort on local emulation with its own state, measures
// file imports against raw SQLite, the synchronous bulk path, upload intake and (with --memory)
// workerd's memory while a large file streams in, and (with --tenants N) N tenants importing at once
// on one shard and spread over the shards. Prints a table; writes bench/results/<date>-<label>.json.
import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { startBarePut } from "./bare-put.mjs";
import { client } from "./client.mjs";
import { costPerMillion } from "./cost.mjs";
import { changedNdjsonBuffer, csvBuffer, ndjsonBuffer } from "./data.mjs";
import { exportRun } from "./export.mjs";
import { startSampler } from "./memory.mjs";
import { startReceiver } from "./receiver.mjs";
import { rows, save, table } from "./report.mjs";
import { hostileRun, importRun, memoryRun, reimportRun, requestCostsRun, spotCheck, syncRun } from "./scenarios.mjs";
import { startServer } from "./server.mjs";
import { sqliteReference } from "./sqlite-ref.mjs";
import { tenantsRun } from "./tenants.mjs";
import { undoRun } from "./undo.mjs";
import { welcomeRun } from "./welcome.mjs";

const USAGE = `npm run bench -- [--records 100000] [--no-csv] [--sync-requests 400] [--sync-concurrency 16]
  [--sync-batch 99] [--sync-tenants 16] [--only-sync] [--request-costs] [--memory [--memory-mb 1024] [--memory-wait-s 600]]
  [--welcome [--welcome-records 200000] [--welcome-wait-s 900]]
  [--undo [--undo-records 100000] [--undo-updates 30000]] [--tenants 3] [--label NAME] [--keep-state]`;
const { values: opt } = parseArgs({
	options: {
		records: { type: "string", default: "100000" },
		"no-csv": { type: "boolean", default: false },
		"sync-requests": { type: "string", default: "400" },
		"sync-concurrency": { type: "string", default: "16" },
		// 100 records or more make /v1/users/bulk answer with a job (spec §5); 99 is its largest synchronous batch.
		"sync-batch": { type: "string", default: "99" },
		// The sync run again with its clients spread over this many tenants (1: only the one-tenant run).
		"sync-tenants": { type: "string", default: "16" },
		// Only the sync runs: no SQLite reference, imports, cost runs or exports.
		"only-sync": { type: "boolean", default: false },
		// CPU per request of the app's workerd thread, by kind of request (src/ changes compare run to run).
		"request-costs": { type: "boolean", default: false },
		memory: { type: "boolean", default: false },
		"memory-mb": { type: "string", default: "1024" },
		"memory-wait-s": { type: "string", default: "600" },
		welcome: { type: "boolean", default: false },
		"welcome-records": { type: "string", default: "200000" },
		"welcome-wait-s": { type: "string", default: "900" },
		undo: { type: "boolean", default: false },
		"undo-records": { type: "string", default: "100000" },
		"undo-updates": { type: "string", default: "30000" },
		// N tenants importing --records each at once, on one shard and then spread over the shards.
		tenants: { type: "string", default: "0" },
		// The results file is bench/results/<date>-<label>.json.
		label: { type: "string" },
		"keep-state": { type: "boolean", default: false },
		help: { type: "boolean", default: false },
	},
});
if (opt.help) {
	console.log(USAGE);
	process.exit(0);
}
const records = Number(opt.records);
const log = (message) => console.error(`[bench] ${message}`);
const results = {
	startedAt: new Date().toISOString(),
	machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: totalmem() / 2 ** 30, node: process.version },
	git: {
		commit: execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim(),
		changedFiles: execFileSync("git", ["status", "--porcelain"], { encoding: "utf8" }).split("\n").filter(Boolean)
			.length,
	},
	loadAverageAtStart: loadavg(),
	options: opt,
	notes: [
		`sync batches are ${opt["sync-batch"]} users: from 100 records /v1/users/bulk answers 202 with a job instead of the result`,
		"tenant limits: burst 100,000 and requestsPerMinute 1,000,000 (the schema's maximum)",
		"the server runs from a snapshot of the working tree (src/ edits during the run cannot reload it)",
	],
	skipped: [],
};

let server;
let receiver;
let barePut;
const WELCOME_SECRET = "whsec_bench_0123456789abcdef";
const stopOnSignal = async (signal) => {
	log(`${signal}: stopping wrangler`);
	await server?.stop({ keepState: opt["keep-state"] });
	process.exit(130);
};
process.once("SIGINT", stopOnSignal);
process.once("SIGTERM", stopOnSignal);
process.once("exit", () => {
	server?.killNow();
	barePut?.killNow();
});

try {
	log(`generating ${records.toLocaleString()} users`);
	const ndjson = ndjsonBuffer(records, "nd");
	const csv = opt["no-csv"] ? null : csvBuffer(records, "csv");

	// With --welcome, welcome messages go to a receiver on loopback (the other runs send none).
	if (opt.welcome) receiver = await startReceiver({ secrets: { "/welcome": WELCOME_SECRET } });
	const vars = receiver
		? {
				NOTIFY_WEBHOOK_URL: `${receiver.url}/welcome`,
				NOTIFY_WEBHOOK_SECRET: WELCOME_SECRET,
				ALLOW_PRIVATE_IMPORT_URLS: "1",
			}
		: {};
	server = await startServer({ log, vars });
	const api = client(server.base, server.adminKey);
	const sampler = startSampler(server.pid);

	if (!opt["only-sync"]) {
		log("raw SQLite reference");
		results.sqlite = sqliteReference(ndjson, { dir: server.dir });
	} else results.skipped.push("SQLite reference, imports, cost and exports: --only-sync");

	// First, while the shards are empty: the multi-tenant runs place their tenants themselves.
	const tenants = Number(opt.tenants);
	if (tenants > 0) {
		const shardCount = (await api.call(server.adminKey, "GET", "/v1/admin/shards")).json.data.length;
		log(
			`${tenants} tenants importing ${records.toLocaleString()} users each at once: on one shard, then on ${shardCount}`,
		);
		results.tenants = await tenantsRun(api, sampler, { tenants, shardCount, body: ndjson, records });
	} else {
		results.skipped.push("tenants at once: not requested (pass --tenants 3)");
	}

	if (!opt["only-sync"]) {
		log("bare R2 put Worker, the ceiling for intake");
		barePut = await startBarePut({ log });
	}

	results.imports = [];
	for (const [format, body, prefix] of [
		["ndjson", ndjson, "nd"],
		["csv", csv, "csv"],
	]) {
		if (!body || opt["only-sync"]) continue;
		log(`bare R2 put of the ${format} file, then its import: ${(body.length / 1e6).toFixed(1)} MB`);
		const bare = await barePut.put(body);
		const run = await importRun(api, sampler, { format, body, records, prefix });
		run.barePut = bare;
		run.intakeVsBarePut = run.intakeMBps / bare.serverMBps;
		run.spotCheck = await spotCheck(api, run);
		run.vsSqlite = run.recordsPerSecond / results.sqlite.recordsPerSecond;
		results.imports.push(run);
	}
	await barePut?.stop();
	barePut = undefined;
	if (opt["no-csv"]) results.skipped.push("CSV import: --no-csv");
	const first = results.imports.find((r) => r.format === "ndjson");
	if (first?.status === "completed") {
		log("cost: the NDJSON file again (all unchanged), then with every tenth record changed");
		const again = await reimportRun(api, first, ndjson, records);
		const changed = await reimportRun(api, first, changedNdjsonBuffer(records, "nd"), records);
		results.cost = [
			costPerMillion("new", first, records),
			costPerMillion("unchanged", again, records),
			costPerMillion("10% changed", changed, records),
		];
	}
	results.exports = [];
	for (const run of results.imports) {
		log(`export ${run.format} of the ${records.toLocaleString()} imported users, and the file imported back`);
		const exported = await exportRun(api, { key: run.tenantKey, format: run.format, records });
		exported.importRecordsPerSecond = run.recordsPerSecond;
		if (exported.reimport) {
			const written = await server.records(
				`SELECT count(*) AS n FROM users WHERE tenant_id = '${run.tenantId}' AND updated_at > '${exported.reimport.since}'`,
			);
			exported.reimport.rowsWritten = written.reduce((sum, { n }) => sum + n, 0);
		}
		results.exports.push(exported);
	}
	if (results.imports.length > 0) {
		log("counting rows with wrangler d1 execute");
		const counted = await server.records("SELECT tenant_id AS tenantId, count(*) AS n FROM users GROUP BY tenant_id");
		for (const run of results.imports) {
			run.rowsInD1 = counted.find((c) => c.tenantId === run.tenantId)?.n ?? 0;
			delete run.tenantKey;
		}
	}

	log(`sync: ${opt["sync-requests"]} requests x ${opt["sync-batch"]} users, ${opt["sync-concurrency"]} clients`);
	results.sync = await syncRun(api, sampler, {
		requests: Number(opt["sync-requests"]),
		concurrency: Number(opt["sync-concurrency"]),
		batch: Number(opt["sync-batch"]),
	});
	if (Number(opt["sync-tenants"]) > 1) {
		log(`sync: the same over ${opt["sync-tenants"]} tenants`);
		results.syncTenants = await syncRun(api, sampler, {
			requests: Number(opt["sync-requests"]),
			concurrency: Number(opt["sync-concurrency"]),
			batch: Number(opt["sync-batch"]),
			tenants: Number(opt["sync-tenants"]),
		});
	}

	if (opt["request-costs"]) {
		log("request costs: 404, an authenticated read, 99 new and 99 unchanged users, 16 clients");
		results.requestCosts = await requestCostsRun(api, sampler);
	} else results.skipped.push("request costs: not requested (pass --request-costs)");

	if (opt.memory) {
		log(`memory: streaming ${opt["memory-mb"]} MB as a dry run`);
		results.memory = await memoryRun(api, sampler, {
			megabytes: Number(opt["memory-mb"]),
			waitJobMs: Number(opt["memory-wait-s"]) * 1000,
		});
		log(`memory: the same ${opt["memory-mb"]} MB as a multipart form's file`);
		results.memoryMultipart = await memoryRun(api, sampler, {
			megabytes: Number(opt["memory-mb"]),
			waitJobMs: Number(opt["memory-wait-s"]) * 1000,
			multipart: true,
		});
		log(`memory: the same ${opt["memory-mb"]} MB gzipped (Content-Encoding: gzip)`);
		results.memoryGzip = await memoryRun(api, sampler, {
			megabytes: Number(opt["memory-mb"]),
			waitJobMs: Number(opt["memory-wait-s"]) * 1000,
			gzip: true,
		});
		log("memory: hostile JSON bodies on POST /v1/users/bulk");
		results.hostile = await hostileRun(api, sampler);
	} else {
		results.skipped.push("memory: not requested (pass --memory, optionally --memory-mb N)");
	}
	if (opt.welcome) {
		log(`welcome: ${Number(opt["welcome-records"]).toLocaleString()} users with welcome messages, reads timed`);
		results.welcome = await welcomeRun(api, receiver, {
			records: Number(opt["welcome-records"]),
			timeoutMs: Number(opt["welcome-wait-s"]) * 1000,
		});
	} else {
		results.skipped.push("welcome delivery: not requested (pass --welcome, optionally --welcome-records N)");
	}
	if (opt.undo) {
		log(`undo: an import of ${opt["undo-records"]} users (${opt["undo-updates"]} updates), then its undo`);
		results.undo = await undoRun(api, { records: Number(opt["undo-records"]), updates: Number(opt["undo-updates"]) });
	} else {
		results.skipped.push("undo: not requested (pass --undo, optionally --undo-records N --undo-updates M)");
	}
	sampler.stop();
	const reloads = server.reloads();
	if (reloads > 0)
		results.skipped.push(
			`WARNING: wrangler reloaded the worker ${reloads} time(s) (src/ changed during the run); numbers may be off`,
		);
} catch (error) {
	results.error = String(error?.stack ?? error);
	process.exitCode = 1;
} finally {
	await server?.stop({ keepState: opt["keep-state"] || process.exitCode === 1 });
	await barePut?.stop();
	await receiver?.close();
}

// Speed is reported, never asserted; a run that lost or changed records, or got errors, failed.
results.failures = [
	...(results.imports ?? []).flatMap((r) =>
		r.status === "completed" && r.rowsInD1 === r.records && r.spotCheck.length === 0
			? []
			: [
					`${r.format} import: job ${r.status}, ${r.rowsInD1} of ${r.records} rows in D1${r.spotCheck.length ? `, ${r.spotCheck.join("; ")}` : ""}`,
				],
	),
	...(results.exports ?? []).flatMap((e) =>
		e.status === "completed" &&
		e.reimport?.counts.unchanged === e.records &&
		e.reimport.counts.total === e.records &&
		e.reimport.rowsWritten === 0
			? []
			: [
					`${e.format} export: job ${e.status}, re-import ${e.reimport?.status} with ${e.reimport?.counts.unchanged} of ${e.records} unchanged, ${e.reimport?.rowsWritten} rows written`,
				],
	),
	...(results.cost ?? []).flatMap((c) => {
		const want = c.kind === "unchanged" ? { unchanged: records } : c.kind === "new" ? {} : { updated: records / 10 };
		const wrong = Object.entries(want).filter(([k, v]) => c.counts[k] !== v);
		return wrong.length ? [`cost run (${c.kind}): counts ${JSON.stringify(c.counts)}`] : [];
	}),
	...[results.sync, results.syncTenants]
		.filter((s) => s?.non2xx)
		.map((s) => `sync over ${s.tenants} tenant(s): ${s.non2xx} answers other than 2xx`),
	...[results.tenants?.oneShard, results.tenants?.spread]
		.filter(Boolean)
		.flatMap((p) => p.jobs)
		.filter((j) => j.status !== "completed" || j.counts.created !== records)
		.map(
			(j) => `tenants at once: ${j.tenantId} on shard ${j.shard}: job ${j.status}, counts ${JSON.stringify(j.counts)}`,
		),
	...(results.welcome && (results.welcome.delivered < results.welcome.records || results.welcome.problems.length > 0)
		? [
				`welcome: ${results.welcome.delivered} of ${results.welcome.records} delivered${results.welcome.problems.length ? `; ${results.welcome.problems.join("; ")}` : ""}`,
			]
		: []),
	...(results.undo && (results.undo.problems.length > 0 || results.undo.undo.status !== "completed")
		? [`undo: job ${results.undo.undo.status}; ${results.undo.problems.join("; ")}`]
		: []),
	...[results.memory, results.memoryMultipart, results.memoryGzip]
		.filter((m) => m && m.job.status !== "completed")
		.map((m) => `memory run${m.multipart ? " (multipart)" : ""}${m.gzip ? " (gzip)" : ""}: job ${m.job.status}`),
];
if (results.failures.length > 0) process.exitCode = 1;
results.finishedAt = new Date().toISOString();
results.loadAverageAtEnd = loadavg();
if (opt.memory)
	results.notes.push("memory run: dryRun=true on the same server (same pipeline, no rows written, D1 does not grow)");
console.log(table(rows(results)));
for (const s of results.notes) console.log(`note: ${s}`);
for (const s of results.skipped) console.log(`skipped: ${s}`);
console.log(
	`load average (1 min) at start ${results.loadAverageAtStart[0].toFixed(2)}, at end ${results.loadAverageAtEnd[0].toFixed(2)}; ${results.machine.cpus} cores`,
);
for (const f of results.failures) console.log(`FAILED: ${f}`);
if (results.error)
	console.log(`ERROR: ${results.error}${server ? `\n(state and wrangler log kept in ${server.dir})` : ""}`);
console.log(
	`results: ${save(results, opt.label ?? `${records}${opt.tenants !== "0" ? `-tenants${opt.tenants}` : ""}`)}`,
);
