// Imports against the real system, killed at a point of each scenario's own and started again on
// the same state (issue 12). The whole file runs with the fault switch on: every third chunk fails
// its first attempt, so every scenario also goes through the retry path.
import { afterAll, beforeAll, expect, it } from "vitest";
import { userRecord } from "../../bench/data.mjs";
import { startReceiver } from "../../bench/receiver.mjs";
import { HOURLY, log, seconds, startSystem, until, WELCOME_SECRET } from "./system.mjs";

const NDJSON = "application/x-ndjson";
const FAULT_EVERY = 3;
const TERMINAL = new Set(["completed", "failed", "cancelled"]);
/** Bound on restart -> terminal (the stall resend is at most 2 minutes, usually far less). */
const TERMINAL_MS = 150_000;

let receiver;
let system;
const tenants = [];

beforeAll(async () => {
	receiver = await startReceiver({ secrets: { "/welcome": WELCOME_SECRET } });
	system = await startSystem(receiver, { FAULT_CHUNK_FIRST_ATTEMPT_EVERY: String(FAULT_EVERY) });
	process.once("exit", () => system?.killNow());
});

afterAll(async () => {
	await system?.stop();
	await receiver?.close();
});

/**
 * `n` NDJSON lines: every 97th has no identity (a bad line), every 101st repeats an earlier
 * record (a duplicate identity, chunks apart). Returns the file, its distinct identities and the
 * 1-based numbers of its bad lines.
 */
function importFile(n, prefix) {
	const lines = [];
	const bad = [];
	const ids = new Set();
	for (let i = 0; i < n; i++) {
		if (i % 97 === 50) {
			lines.push('{"firstName":"no identity"}');
			bad.push(i + 1);
		} else {
			const record = userRecord(i % 101 === 100 && i > 6_000 ? i - 6_000 : i, prefix);
			ids.add(record.externalId);
			lines.push(JSON.stringify(record));
		}
	}
	return { body: Buffer.from(`${lines.join("\n")}\n`), total: n, distinct: ids.size, bad };
}

async function newTenant(name) {
	const tenant = await system.api.createTenant(name);
	tenants.push(tenant);
	return tenant;
}

async function getJob(key, id) {
	const res = await system.api.call(key, "GET", `/v1/jobs/${id}`);
	expect(res.status).toBe(200);
	return res.json;
}

async function jobsOf(key) {
	const res = await system.api.call(key, "GET", "/v1/jobs?limit=1000");
	expect(res.status).toBe(200);
	return res.json.data;
}

const userRows = (tenantId) => system.d1("SELECT count(*) AS n FROM users WHERE tenant_id = ?", tenantId)[0].n;

/** Kills the system once `ready` holds (polled often, so the kill lands where the scenario wants it). */
async function crashWhen(what, ready) {
	await until(what, ready, { timeoutMs: 120_000, intervalMs: 20 });
	await system.restart();
}

/**
 * Restart -> the job's processed count moves past what it was at the first look after the restart
 * (or the job ends), and restart -> it ends. Returns the count at that first look too.
 */
async function recovery(key, id) {
	const restartedAt = system.readyAt;
	let first;
	let progressedAt;
	const job = await until(
		"the job to end after the restart",
		async () => {
			const job = await getJob(key, id);
			first ??= job.counts.processed;
			if (!progressedAt && (job.counts.processed > first || TERMINAL.has(job.status))) progressedAt = Date.now();
			return TERMINAL.has(job.status) && job;
		},
		{ timeoutMs: TERMINAL_MS, intervalMs: 250 },
	);
	return { job, atRestart: first, recovered: progressedAt - restartedAt, terminal: Date.now() - restartedAt };
}

/** Counts add up, match the stored rows, and the error rows are exactly the bad lines, once each. */
function expectExact(tenant, job, file) {
	const c = job.counts;
	expect(job.status).toBe("completed");
	expect(c.total).toBe(file.total);
	expect(c.processed).toBe(file.total);
	expect(c.created + c.updated + c.unchanged + c.skipped + c.failed).toBe(c.processed);
	expect(userRows(tenant.id)).toBe(file.distinct);
	expect(c.created).toBe(file.distinct);
	expect(c.failed).toBe(file.bad.length);
	const refs = system.d1("SELECT ref FROM job_errors WHERE job_id = ? ORDER BY ref", job.id).map((r) => r.ref);
	expect(refs).toEqual(file.bad);
}

/** The tenant's next job is not stuck behind the crashed one. */
async function nextJobRuns(tenant) {
	// Far past the imported records' numbers: a user's email is made from its number.
	const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify(userRecord(900_000 + i, "next")));
	const { job } = await system.api.upload(tenant.key, "type=users", `${lines.join("\n")}\n`, NDJSON);
	const { job: ended, timedOut } = await system.api.waitJob(tenant.key, job.id, { timeoutMs: 60_000 });
	expect(timedOut).toBe(false);
	expect(ended.status).toBe("completed");
	expect(ended.counts.created).toBe(10);
}

/** Starts an upload and resolves once its job exists. */
async function startImport(tenant, file) {
	const { job } = await system.api.upload(tenant.key, "type=users", file.body, NDJSON, 120_000);
	return job;
}

it("(a) 50,000 records killed while chunks are processed: exact counts, rows and error rows", async () => {
	const tenant = await newTenant("crash-import");
	const file = importFile(50_000, "a");
	const job = await startImport(tenant, file);
	await crashWhen(
		"some chunks to be written",
		async () => (await getJob(tenant.key, job.id)).counts.processed >= 10_000,
	);
	const { job: ended, atRestart, recovered, terminal } = await recovery(tenant.key, job.id);
	log(
		`(a) 50,000 records killed at ${atRestart} processed: recovered in ${seconds(recovered)}, terminal in ${seconds(terminal)}`,
	);
	expectExact(tenant, ended, file);
	await nextJobRuns(tenant);
});

it("(b) an upload killed while it streams: no job after the restart, no chunk after the cron", async () => {
	const tenant = await newTenant("crash-stream");
	const file = importFile(30_000, "b");
	const before = new Set(system.r2Keys("jobs/"));
	// The first 3 MB go at once (more than one chunk), then the client stalls mid-body.
	const body = new ReadableStream({
		start(controller) {
			controller.enqueue(file.body.subarray(0, 3 << 20));
		},
		pull: () => new Promise(() => undefined),
	});
	const request = system.api
		.call(tenant.key, "POST", "/v1/imports?type=users", { body, headers: { "Content-Type": NDJSON } })
		.catch((e) => e);
	await crashWhen("a chunk of the streaming upload in R2", () =>
		system.r2Keys("jobs/").some((key) => !before.has(key) && key.includes("/chunks/")),
	);
	const left = system.r2Keys("jobs/").filter((key) => !before.has(key));
	expect(await request).toBeInstanceOf(Error);
	expect(await jobsOf(tenant.key)).toEqual([]);
	// Intake marks are swept once older than 6 h.
	await system.server.scheduled(HOURLY, Date.now() + 7 * 3_600_000);
	expect(system.r2Keys("intakes/")).toEqual([]);
	expect(system.r2Keys("jobs/").filter((key) => !before.has(key))).toEqual([]);
	log(`(b) upload killed mid-body, R2 objects left: ${left.length}; no job, none left after the cron`);
	await nextJobRuns(tenant);
});

it("(c) a staged-upload completion killed mid-way: completing again gives one job that runs", async () => {
	const tenant = await newTenant("crash-complete");
	const file = importFile(18_000, "c");
	const created = await system.api.call(tenant.key, "POST", "/v1/uploads", {
		body: JSON.stringify({ type: "users", format: "ndjson" }),
	});
	expect(created.status).toBe(201);
	const upload = created.json;
	expect(file.body.length).toBeLessThan(upload.partSize);
	const part = await system.api.call(tenant.key, "PUT", `/v1/uploads/${upload.id}/parts/1`, {
		body: file.body,
		headers: { "Content-Type": "application/octet-stream" },
	});
	expect(part.status).toBe(200);
	const jobId = `job_${upload.id.slice(upload.id.indexOf("_") + 1)}`;
	const completing = system.api.call(tenant.key, "POST", `/v1/uploads/${upload.id}/complete`).catch((e) => e);
	await crashWhen("the completion to cut chunks", () => system.r2Keys(`jobs/${jobId}/chunks/`).length > 0);
	const first = await completing;
	const restartedAt = system.readyAt;
	const again = await system.api.call(tenant.key, "POST", `/v1/uploads/${upload.id}/complete`, { timeoutMs: 120_000 });
	expect(again.status).toBe(202);
	expect(again.json.id).toBe(jobId);
	const answered = Date.now() - restartedAt;
	const { job: ended, recovered, terminal } = await recovery(tenant.key, jobId);
	const third = await system.api.call(tenant.key, "POST", `/v1/uploads/${upload.id}/complete`);
	expect(third.json.id).toBe(jobId);
	expect((await jobsOf(tenant.key)).map((j) => j.id)).toEqual([jobId]);
	log(
		`(c) completion killed ${first instanceof Error ? "before it answered" : "after it answered"}: completed again ` +
			`${seconds(answered)} after the restart, recovered in ${seconds(recovered)}, terminal in ${seconds(terminal)}`,
	);
	expectExact(tenant, ended, file);
	await nextJobRuns(tenant);
});

it("(d) two tenants importing at once, killed while both run: both exact and isolated", async () => {
	const [one, two] = [await newTenant("crash-pair-1"), await newTenant("crash-pair-2")];
	// The same identities in both tenants: each must get its own rows.
	const file = importFile(25_000, "d");
	const [jobOne, jobTwo] = await Promise.all([startImport(one, file), startImport(two, file)]);
	await crashWhen("both jobs to be under way", async () => {
		const [a, b] = await Promise.all([getJob(one.key, jobOne.id), getJob(two.key, jobTwo.id)]);
		return a.counts.processed > 0 && b.counts.processed > 0;
	});
	const [r1, r2] = await Promise.all([recovery(one.key, jobOne.id), recovery(two.key, jobTwo.id)]);
	log(
		`(d) two tenants killed at ${r1.atRestart} and ${r2.atRestart} processed: recovered in ${seconds(r1.recovered)} and ` +
			`${seconds(r2.recovered)}, terminal in ${seconds(r1.terminal)} and ${seconds(r2.terminal)}`,
	);
	expectExact(one, r1.job, file);
	expectExact(two, r2.job, file);
	await Promise.all([nextJobRuns(one), nextJobRuns(two)]);
});

it("(e) a cancel followed at once by a kill: the job stays cancelled and its counts match the rows", async () => {
	const tenant = await newTenant("crash-cancel");
	const file = importFile(30_000, "e");
	const job = await startImport(tenant, file);
	await until("the job to be under way", async () => (await getJob(tenant.key, job.id)).counts.processed > 0, {
		timeoutMs: 120_000,
		intervalMs: 20,
	});
	const cancel = await system.api.cancelJob(tenant.key, job.id);
	expect(cancel.status).toBe(200);
	await system.restart();
	// Chunk messages delivered again after the restart must not change the job: wait until the
	// ledger has been quiet for longer than the shortest stall resend (15 s).
	let ledger = -1;
	let quietSince = Date.now();
	await until(
		"the job's chunks to settle",
		() => {
			const n = system.d1("SELECT count(*) AS n FROM job_chunks WHERE job_id = ?", job.id)[0].n;
			if (n !== ledger) [ledger, quietSince] = [n, Date.now()];
			return Date.now() - quietSince > 20_000;
		},
		{ timeoutMs: TERMINAL_MS, intervalMs: 1_000 },
	);
	const ended = await getJob(tenant.key, job.id);
	const c = ended.counts;
	log(
		`(e) cancelled at ${c.processed} of 30,000 processed and killed: ${ledger} chunks written, status ${ended.status}`,
	);
	expect(ended.status).toBe("cancelled");
	expect(c.created + c.updated + c.unchanged + c.skipped + c.failed).toBe(c.processed);
	expect(c.created).toBe(userRows(tenant.id));
	expect(system.d1("SELECT count(*) AS n FROM job_errors WHERE job_id = ?", job.id)[0].n).toBe(c.failed);
	await nextJobRuns(tenant);
});

it("(f) every third chunk fails its first attempt, no crash: the job completes with exact counts", async () => {
	const tenant = await newTenant("transient");
	const file = importFile(60_000, "f");
	const started = Date.now();
	const job = await startImport(tenant, file);
	const { job: ended, timedOut } = await system.api.waitJob(tenant.key, job.id, { timeoutMs: TERMINAL_MS });
	expect(timedOut).toBe(false);
	const failed = system.d1("SELECT chunk FROM chunk_failures WHERE job_id = ? ORDER BY chunk", job.id);
	log(
		`(f) ${failed.length} chunks failed their first attempt (chunks ${failed.map((r) => r.chunk).join(", ")}): ` +
			`terminal in ${seconds(Date.now() - started)}`,
	);
	const chunks = system.d1("SELECT chunk FROM job_chunks WHERE job_id = ? ORDER BY chunk", job.id).map((r) => r.chunk);
	expect(failed.map((r) => r.chunk)).toEqual(chunks.filter((chunk) => chunk % FAULT_EVERY === 0));
	expect(failed.length).toBeGreaterThan(1);
	expectExact(tenant, ended, file);
});

it("no orphaned R2 objects: every key under jobs/ belongs to an existing job, no intake mark after the cron", async () => {
	await system.server.scheduled(HOURLY, Date.now() + 7 * 3_600_000);
	expect(system.r2Keys("intakes/")).toEqual([]);
	const jobs = new Set();
	for (const tenant of tenants) for (const job of await jobsOf(tenant.key)) jobs.add(job.id);
	const orphans = system.r2Keys("jobs/").filter((key) => !jobs.has(key.split("/")[1]));
	expect(orphans).toEqual([]);
});
