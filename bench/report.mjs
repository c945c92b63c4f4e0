// Turns the results into rows against the issue's targets (reported, never asserted).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const n = (v, digits = 0) =>
	v === undefined || v === null || Number.isNaN(v)
		? "-"
		: v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** Cores busy in a window: the app's workerd, wrangler's proxy workerd and node, and this client. */
const cores = (u) =>
	u?.samples
		? `; cores: worker ${n(u.workerCores, 2)}, proxy ${n(u.proxyCores, 2)}, wrangler ${n(u.wranglerNodeCores, 2)}, client ${n(u.clientCores, 2)}`
		: "";
const verdict = (ok) => (ok === undefined ? "" : ok ? "meets" : "MISSES");

/** [what, value, target, verdict] rows for the table. */
export function rows(r) {
	const out = [];
	const add = (what, value, target = "", ok) => out.push([what, value, target, verdict(ok)]);
	if (r.sqlite)
		add(
			"raw SQLite upsert (node:sqlite, WAL, 5k/tx)",
			`${n(r.sqlite.recordsPerSecond)} rec/s, ${n(r.sqlite.mbPerSecond, 1)} MB/s`,
		);
	for (const run of r.imports ?? []) {
		const label = `import ${run.format.toUpperCase()} ${n(run.records)} users`;
		add(
			`${label}: end to end`,
			`${n(run.recordsPerSecond)} rec/s, ${n(run.mbPerSecond, 1)} MB/s (${n(run.e2eSeconds, 2)} s, ${run.status})`,
		);
		if (run.vsSqlite !== undefined)
			add(`${label}: / raw SQLite`, `${n(run.vsSqlite, 2)}x`, ">= 0.5x", run.vsSqlite >= 0.5);
		if (run.tenths) {
			const t = run.tenths;
			const raw = r.sqlite?.tenths;
			add(
				`${label}: last tenth / first tenth of processing`,
				`${n(t.lastTenthPerSecond)} / ${n(t.firstTenthPerSecond)} rec/s = ${n(t.lastVsFirst, 2)}x${raw ? ` (raw SQLite ${n(raw.lastVsFirst, 2)}x)` : ""}`,
				">= 0.75x",
				t.lastVsFirst >= 0.75,
			);
		}
		add(
			`${label}: intake until the 202 was ready`,
			`${n(run.intakeMBps, 1)} MB/s (${n(run.intakeSeconds, 2)} s of ${n(run.bytes / 1e6, 1)} MB; the 202 arrived after ${n(run.intakeClientSeconds, 2)} s${cores(run.intakeUsage)})`,
		);
		if (run.barePut)
			add(
				`${label}: intake / bare R2 put of the same bytes`,
				`${n(run.intakeVsBarePut, 2)}x (bare put ${n(run.barePut.serverMBps, 1)} MB/s, ${n(run.barePut.serverSeconds, 2)} s)`,
				">= 0.8x",
				run.intakeVsBarePut >= 0.8,
			);
		add(
			`${label}: processing after the 202 was ready`,
			`${n(run.processingSeconds, 2)} s, ${n(run.records / run.processingSeconds)} rec/s${cores(run.processingUsage)}`,
		);
		const cpu = run.cpuMicrosPerRecord;
		add(
			`${label}: server CPU per record, intake / processing`,
			`${n(cpu.intake.system, 1)} / ${n(cpu.processing.system, 1)} µs (app workerd alone ${n(cpu.intake.worker, 1)} / ${n(cpu.processing.worker, 1)} µs)`,
		);
		add(
			`${label}: rows in D1 / spot check`,
			`${n(run.rowsInD1)} of ${n(run.records)}; ${run.spotCheck.length ? run.spotCheck.join("; ") : "3 of 3 match"}`,
			"all",
			run.rowsInD1 === run.records && run.spotCheck.length === 0,
		);
	}
	if (r.tenants) {
		const t = r.tenants;
		for (const p of [t.oneShard, t.spread]) {
			const where =
				p.label === "spread"
					? `spread over shards ${[...new Set(p.shards)].join(", ")}`
					: `all on shard ${p.shards[0]}`;
			add(
				`${t.tenants} tenants x ${n(t.recordsPerTenant)} users at once, ${where}`,
				`${n(p.recordsPerSecond)} rec/s (${n(p.seconds, 2)} s); server CPU ${n(p.cpuMicrosPerRecord.system, 1)} µs per record (app workerd ${n(p.cpuMicrosPerRecord.worker, 1)})${cores(p.usage)}`,
			);
		}
		add(`${t.tenants} tenants at once: spread / one shard`, `${n(t.ratio, 2)}x`);
	}
	for (const c of r.cost ?? []) {
		const label = `cost per 1M users imported, ${c.kind}`;
		const chunks = c.usage.queueOperations / 3;
		const [read, written] = [c.rowsReadPerRecord, c.rowsWrittenPerRecord];
		const floor = c.floorPerMillion;
		add(
			`${label}: D1 rows read / written per record`,
			`${n(read, 2)} / ${n(written, 4)} (floor ${n(floor.d1RowsRead / 1e6, 1)} / ${n(floor.d1RowsWritten / 1e6, 1)})`,
			c.kind === "unchanged" ? "<= 3 read, 0 written" : "<= 3 read, written <= 1.25x floor",
			// Per record; each chunk's ledger lookup and row come on top.
			c.usage.d1RowsRead <= 3 * c.records + 10 * chunks &&
				(c.kind === "unchanged"
					? c.usage.d1RowsWritten <= 2 * chunks
					: c.writtenVsFloor !== null && c.writtenVsFloor <= 1.25),
		);
		const m = c.perMillion;
		add(
			`${label}: dollars`,
			`$${n(c.dollarsPerMillion, 3)} (floor $${n(c.floorDollarsPerMillion, 3)}): R2 ${n(m.r2ClassA)} A + ${n(m.r2ClassB)} B, ${n(m.queueOperations)} queue ops, ${n(m.workerRequests)} requests`,
		);
	}
	for (const e of r.exports ?? []) {
		const label = `export ${e.format.toUpperCase()} ${n(e.records)} users`;
		add(
			`${label}: job start to completed`,
			`${n(e.recordsPerSecond)} rec/s (${n(e.jobSeconds, 2)} s, ${e.status}); the import: ${n(e.importRecordsPerSecond)} rec/s`,
		);
		if (e.bytes !== undefined)
			add(
				`${label}: download by signed link`,
				`${n(e.bytes / 1e6, 1)} MB at ${n(e.downloadMBps, 1)} MB/s; request to file in hand ${n(e.e2eSeconds, 2)} s`,
			);
		if (e.reimport)
			add(
				`${label}: file imported back`,
				`${n(e.reimport.counts.unchanged)} of ${n(e.records)} unchanged, ${n(e.reimport.rowsWritten)} rows written (${n(e.reimport.seconds, 2)} s)`,
				"all unchanged, 0 written",
				e.reimport.counts.unchanged === e.records && e.reimport.rowsWritten === 0,
			);
	}
	for (const s of [r.sync, r.syncTenants].filter(Boolean)) {
		const over = (s.tenants ?? 1) > 1 ? ` over ${s.tenants} tenants` : "";
		const label = `sync ${n(s.requests)} x ${s.batch} users, ${s.concurrency} clients${over}`;
		add(
			`${label}: throughput`,
			`${n(s.usersPerSecond)} users/s (${n(s.requestsPerSecond)} req/s${cores(s.usage)})`,
			">= 20,000 users/s",
			s.usersPerSecond >= 20_000,
		);
		add(
			`${label}: latency p50 / p99`,
			`${n(s.p50Ms)} / ${n(s.p99Ms)} ms (max ${n(s.maxMs)})`,
			"p99 < 250 ms",
			s.p99Ms < 250,
		);
		add(`${label}: non-2xx`, `${s.non2xx} (${JSON.stringify(s.statuses)})`, "0", s.non2xx === 0);
	}
	for (const c of r.requestCosts ?? [])
		add(
			`app workerd's thread per request: ${c.kind}`,
			`${n(c.workerMsPerRequest, 2)} ms (${n(c.requestsPerSecond)} req/s; all server processes ${n(c.serverMsPerRequest, 2)} ms)`,
		);
	for (const m of [r.memory, r.memoryMultipart, r.memoryGzip].filter(Boolean)) {
		const label = `memory ${n(m.bytes / 1e6)} MB NDJSON${m.multipart ? " in multipart" : ""}${m.gzip ? " gzipped" : ""} (dryRun)`;
		add(`${label}: workerd RSS idle / peak upload`, `${n(m.idle.totalMeanMb)} / ${n(m.upload.totalPeakMb)} MB`);
		add(
			`${label}: growth while streaming`,
			`${n(m.growthUploadMb)} MB (peak by quarter of the upload: ${m.uploadQuarterPeaksMb.map((v) => n(v)).join(", ")} MB)`,
			"< 100 MB",
			m.growthUploadMb < 100,
		);
		add(
			`${label}: peak while processing`,
			`${n(m.processing.totalPeakMb)} MB (+${n(m.growthProcessingMb)}), job ${m.job.status} in ${n(m.job.seconds)} s`,
		);
		add(
			`${label}: upload intake to 202`,
			`${n(m.intakeMBps, 1)} MB/s (${n(m.intakeSeconds, 1)} s${cores(m.upload)})`,
			">= 100 MB/s",
			m.intakeMBps >= 100,
		);
	}
	for (const h of r.hostile ?? []) {
		add(
			`hostile JSON body (${h.name}): answer, RSS growth`,
			`${h.status}, +${n(h.growthMb)} MB in ${n(h.seconds, 1)} s`,
			"4xx, < 100 MB",
			/^(4|refused)/.test(String(h.status)) && h.growthMb < 100,
		);
	}
	if (r.welcome) {
		const w = r.welcome;
		const label = `welcome ${n(w.records)} users`;
		add(
			`${label}: delivery`,
			`${n(w.deliveriesPerSecond)} POSTs/s; ${n(w.delivered)} of ${n(w.records)} ids, ${n(w.posts)} POSTs (${n(w.resent)} ids sent more than once); last ${n(w.secondsFrom202ToLast, 1)} s after the 202`,
			"each id once",
			w.delivered === w.records && w.resent === 0,
		);
		for (const [what, l] of [
			["GET /v1/health", w.health],
			["GET /v1/jobs/:id", w.jobReads],
		])
			add(
				`${label}: ${what} while delivering`,
				`p50 ${n(l.p50Ms)} / p99 ${n(l.p99Ms)} / max ${n(l.maxMs)} ms (${n(l.count)} reads${w.readErrors.length ? `; errors: ${w.readErrors.join(", ")}` : ""})`,
				"< 1 s",
				l.maxMs < 1000,
			);
	}
	if (r.undo) {
		const u = r.undo;
		const label = `undo of ${n(u.records)} users (${n(u.updates)} updates)`;
		add(
			`${label}: the import`,
			`${n(u.import.recordsPerSecond)} rec/s (${n(u.import.seconds, 2)} s, ${u.import.status})`,
		);
		add(
			`${label}: its undo`,
			`${n(u.undo.recordsPerSecond)} rec/s (${n(u.undo.seconds, 2)} s, ${u.undo.status}); ${n(u.undo.recordsPerSecond / u.import.recordsPerSecond, 2)}x the import${u.problems.length ? `; ${u.problems.join("; ")}` : ""}`,
			"every row back",
			u.problems.length === 0,
		);
	}
	return out;
}

export function table(rowsToPrint) {
	const head = ["measure", "result", "target", ""];
	const widths = head.map((h, i) => Math.max(h.length, ...rowsToPrint.map((row) => row[i].length)));
	const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
	return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rowsToPrint.map(line)].join("\n");
}

/** Writes bench/results/<date>-<label>.json (the start time joins the name when that file exists). */
export function save(results, label, dir = "bench/results") {
	mkdirSync(dir, { recursive: true });
	const date = results.startedAt.slice(0, 10);
	let file = join(dir, `${date}-${label}.json`);
	if (existsSync(file)) file = join(dir, `${date}-${label}-${results.startedAt.slice(11, 19).replace(/:/g, "")}.json`);
	writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
	return file;
}
