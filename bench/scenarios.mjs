// The measured runs. Each takes its own tenant, so counts and identities never mix.
import { ndjsonStream, userRecord } from "./data.mjs";

const MB = 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Timeouts assume at least 1,000 records/s and 5 MB/s; anything slower is a failure worth seeing. */
const jobTimeoutMs = (records) => 60_000 + records;
const uploadTimeoutMs = (bytes) => 60_000 + Math.ceil(bytes / 5_000);

/** CPU microseconds per record a window of the sampler cost: all of the system, and the app's workerd alone. */
export const cpuPerRecord = (usage, records) => ({
	system: (usage.serverCpuSeconds * 1e6) / records,
	worker: (usage.workerCpuSeconds * 1e6) / records,
});

/**
 * A file import from first byte sent to job completed, in two stages: intake until the 202 was
 * ready (the job stored; the file is in R2 by then) and processing after it, each with the CPU the
 * server spent on it. The 202's arrival at the client is reported too, but it is no stage of its
 * own: locally the consumer starts on the job on the same thread while the 202 is on its way.
 */
export async function importRun(api, sampler, { format, body, records, prefix }) {
	const tenant = await api.createTenant(`bench-${format}`);
	const contentType = format === "csv" ? "text/csv" : "application/x-ndjson";
	const up = await api.upload(tenant.key, "type=users", body, contentType, uploadTimeoutMs(body.length));
	const done = await api.waitJob(tenant.key, up.job.id, { timeoutMs: jobTimeoutMs(records) });
	const { job } = done;
	// The job's completedAt is the server's clock; client and server share this machine's clock.
	const completed = job.completedAt ? up.started + (Date.parse(job.completedAt) - up.startedAt) : done.ended;
	const e2eSeconds = (completed - up.started) / 1000;
	const intakeSeconds = (up.ready - up.started) / 1000;
	const intakeUsage = sampler.window(up.started, up.ready);
	const processingUsage = sampler.window(up.ready, completed);
	const run = {
		format,
		tenantId: tenant.id,
		tenantKey: tenant.key,
		shard: tenant.shard,
		jobId: job.id,
		status: job.status,
		timedOut: done.timedOut,
		records,
		bytes: body.length,
		counts: job.counts,
		usage: job.usage,
		intakeSeconds,
		intakeMBps: body.length / MB / intakeSeconds,
		intakeClientSeconds: (up.accepted - up.started) / 1000,
		processingSeconds: e2eSeconds - intakeSeconds,
		e2eSeconds,
		recordsPerSecond: records / e2eSeconds,
		mbPerSecond: body.length / MB / e2eSeconds,
		prefix,
		intakeUsage,
		processingUsage,
		cpuMicrosPerRecord: {
			intake: cpuPerRecord(intakeUsage, records),
			processing: cpuPerRecord(processingUsage, records),
		},
		// Seconds after the 202 was ready at which the processed count was seen to move.
		progress: done.progress.map(([t, processed]) => [Number(((t - up.ready) / 1000).toFixed(2)), processed]),
	};
	// The processed count moves a batch of chunks at a time: at least 10 steps make tenths meaningful.
	return run.progress.length >= 10 ? { ...run, tenths: tenths(run.progress, records) } : run;
}

/**
 * Records per second over the first and the last tenth of a run, from `[seconds, count]` points
 * (the count reached by that time; interpolated between points), and the last as a fraction of the
 * first: how much the run slows as the table grows.
 */
export function tenths(points, total) {
	const all = [[0, 0], ...points];
	const at = (count) => {
		const i = all.findIndex(([, c]) => c >= count);
		if (i <= 0) return i === 0 ? 0 : undefined;
		const [t0, c0] = all[i - 1];
		const [t1, c1] = all[i];
		return t0 + ((count - c0) / (c1 - c0)) * (t1 - t0);
	};
	const tenth = total / 10;
	const first = tenth / at(tenth);
	const last = tenth / (at(total) - at(total - tenth));
	return { firstTenthPerSecond: first, lastTenthPerSecond: last, lastVsFirst: last / first };
}

/** The same tenant imports `body` again: what a repeated (or partly changed) file costs. */
export async function reimportRun(api, run, body, records) {
	const up = await api.upload(run.tenantKey, "type=users", body, "application/x-ndjson", uploadTimeoutMs(body.length));
	const { job } = await api.waitJob(run.tenantKey, up.job.id, { timeoutMs: jobTimeoutMs(records) });
	return job;
}

/** Reads a few imported users back through the API and compares them with what was sent. */
export async function spotCheck(api, run) {
	const problems = [];
	for (const i of [0, Math.floor(run.records / 2), run.records - 1]) {
		const want = userRecord(i, run.prefix);
		const res = await api.call(run.tenantKey, "GET", `/v1/users/${want.externalId}`);
		if (res.status !== 200) {
			problems.push(`${want.externalId}: ${res.status}`);
			continue;
		}
		const got = res.json;
		const same =
			["email", "firstName", "lastName", "companyId"].every((f) => got[f] === want[f]) &&
			Object.entries(want.metadata).every(([k, v]) => String(got.metadata?.[k]) === String(v));
		if (!same) problems.push(`${want.externalId}: stored ${JSON.stringify(got)}`);
	}
	return problems;
}

export function percentile(sorted, p) {
	return sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** JSON bulk requests from `concurrency` clients; every request carries `batch` new users. */
export async function syncRun(api, sampler, { requests, concurrency, batch, tenants = 1 }) {
	// Client c sends as tenant c % tenants: one tenant's requests meet in its object, several tenants' do not.
	const keys = [];
	for (let t = 0; t < tenants; t++) keys.push((await api.createTenant(`bench-sync-${tenants}-${t}`)).key);
	const prefix = `sync${tenants}`;
	const body = (n) =>
		JSON.stringify({ users: Array.from({ length: batch }, (_, j) => userRecord(n * batch + j, prefix)) });
	const send = async (client, payload) => {
		const started = performance.now();
		try {
			const res = await api.call(keys[client % tenants], "POST", "/v1/users/bulk", { body: payload });
			return {
				status: res.status,
				ms: performance.now() - started,
				users: res.status === 200 ? res.json.successful : 0,
			};
		} catch (error) {
			return { status: `error: ${error.name}`, ms: performance.now() - started, users: 0 };
		}
	};
	// One request per client first, so start-up (isolate, caches) is not in the numbers.
	await Promise.all(Array.from({ length: concurrency }, (_, c) => send(c, body(requests + c))));
	const payloads = Array.from({ length: requests }, (_, n) => body(n));
	const results = [];
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async (_, c) => {
			for (let n = next++; n < requests; n = next++) results.push(await send(c, payloads[n]));
		}),
	);
	const usage = sampler.window(started);
	const seconds = (performance.now() - started) / 1000;
	const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
	const statuses = {};
	for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
	const users = results.reduce((sum, r) => sum + r.users, 0);
	return {
		requests,
		concurrency,
		batch,
		tenants,
		seconds,
		users,
		usersPerSecond: users / seconds,
		requestsPerSecond: requests / seconds,
		p50Ms: percentile(latencies, 50),
		p99Ms: percentile(latencies, 99),
		maxMs: latencies.at(-1),
		statuses,
		non2xx: results.filter((r) => !(typeof r.status === "number" && r.status >= 200 && r.status < 300)).length,
		not200: results.filter((r) => r.status !== 200).length,
		usage,
	};
}

/**
 * The kinds of request whose cost `requestCostsRun` and bench/compare.mjs measure, for one tenant's
 * key: a route that does not exist, an authenticated read, and the sync write of 99 new and of 99
 * unchanged users. Each throws unless it gets the answer it is for.
 */
export function requestKinds(api, key) {
	let next = 0;
	const users = (first) => JSON.stringify({ users: Array.from({ length: 99 }, (_, j) => userRecord(first + j, "rc")) });
	const expecting = (kind, status, send) => async () => {
		const res = await send();
		if (status ? res.status !== status : res.status >= 300)
			throw new Error(`${kind}: ${res.status} ${res.text.slice(0, 200)}`);
	};
	const kinds = {
		"unknown route (404)": [404, () => api.call(key, "GET", "/v1/no-such-route")],
		"GET /v1/jobs?limit=1": [0, () => api.call(key, "GET", "/v1/jobs?limit=1")],
		"sync, 99 new users": [
			0,
			() => {
				next += 99;
				return api.call(key, "POST", "/v1/users/bulk", { body: users(next) });
			},
		],
		"sync, 99 unchanged users": [0, () => api.call(key, "POST", "/v1/users/bulk", { body: users(0) })],
	};
	return Object.fromEntries(
		Object.entries(kinds).map(([kind, [status, send]]) => [kind, expecting(kind, status, send)]),
	);
}

/** `requests` calls of `send` from `concurrency` clients: their rate, and the CPU per request of the app's workerd and of the whole server. */
export async function timedRequests(sampler, send, { requests, concurrency = 16 }) {
	let sent = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (sent++ < requests) await send();
		}),
	);
	const seconds = (performance.now() - started) / 1000;
	const usage = sampler.window(started);
	return {
		requestsPerSecond: requests / seconds,
		workerMsPerRequest: (usage.workerCpuSeconds / requests) * 1000,
		serverMsPerRequest: (usage.serverCpuSeconds / requests) * 1000,
	};
}

/** The middle value; of an even count, the higher of the middle two. */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * What one request of each kind (`requestKinds`) costs the app's workerd thread (CPU ms per request)
 * and how many such requests 16 clients get through per second. Each kind runs `rounds` times in
 * turn; the first round warms up and the median of the others is reported (of two, the higher).
 */
export async function requestCostsRun(api, sampler, { requests = 300, concurrency = 16, rounds = 3 } = {}) {
	const { key } = await api.createTenant("bench-request-costs");
	const kinds = requestKinds(api, key);
	const measured = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
	for (let round = 0; round < rounds; round++) {
		for (const [kind, send] of Object.entries(kinds)) {
			const run = await timedRequests(sampler, send, { requests, concurrency });
			if (round > 0) measured[kind].push(run);
		}
	}
	return Object.entries(measured).map(([kind, runs]) => ({
		kind,
		requests,
		concurrency,
		rounds: runs.length,
		requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
		workerMsPerRequest: median(runs.map((r) => r.workerMsPerRequest)),
		serverMsPerRequest: median(runs.map((r) => r.serverMsPerRequest)),
	}));
}

/**
 * Streams `megabytes` of NDJSON made on the fly as a dry-run import (same pipeline, no rows
 * written, so D1 does not grow) and compares workerd's RSS with its idle RSS just before.
 */
/** A streamed body: `head`, then every piece `next()` gives until it gives none, then `tail`. */
function framed(head, next, tail) {
	let state = "head";
	return new ReadableStream({
		async pull(controller) {
			if (state === "head") {
				state = "body";
				return controller.enqueue(Buffer.from(head));
			}
			if (state === "done") return controller.close();
			const piece = await next();
			if (piece) return controller.enqueue(piece);
			state = "done";
			controller.enqueue(Buffer.from(tail));
		},
	});
}

/** A multipart/form-data body with `file` as its one field, streamed around the file's own stream. */
function multipartBody(file, boundary) {
	const reader = file.getReader();
	return framed(
		`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="users.ndjson"\r\n` +
			"Content-Type: application/x-ndjson\r\n\r\n",
		async () => (await reader.read()).value,
		`\r\n--${boundary}--\r\n`,
	);
}

export async function memoryRun(api, sampler, { megabytes, waitJobMs, multipart = false, gzip = false }) {
	const tenant = await api.createTenant(`bench-memory${multipart ? "-multipart" : ""}${gzip ? "-gzip" : ""}`);
	const idleFrom = performance.now();
	await sleep(2_000);
	const idle = sampler.window(idleFrom);
	const stats = { records: 0, bytes: 0 };
	const totalBytes = megabytes * MB;
	const file = ndjsonStream(totalBytes, "mem", stats);
	const boundary = "cohort-bench-boundary";
	const body = multipart ? multipartBody(file, boundary) : file;
	// gzip: compressed here as it streams and sent with Content-Encoding, as `cohort import` sends a .gz file.
	const up = await api.upload(
		tenant.key,
		"type=users&dryRun=true",
		gzip ? body.pipeThrough(new CompressionStream("gzip")) : body,
		multipart ? `multipart/form-data; boundary=${boundary}` : "application/x-ndjson",
		uploadTimeoutMs(totalBytes),
		gzip ? { "Content-Encoding": "gzip" } : {},
	);
	const upload = sampler.window(up.started, up.ready);
	// Peak RSS in each quarter of the upload: flat memory shows as four similar peaks, a leak as a climb.
	const quarter = (up.ready - up.started) / 4;
	const uploadQuarterPeaksMb = [0, 1, 2, 3].map(
		(q) => sampler.window(up.started + q * quarter, up.started + (q + 1) * quarter).totalPeakMb,
	);
	const done = await api.waitJob(tenant.key, up.job.id, { timeoutMs: waitJobMs, intervalMs: 1_000 });
	if (done.timedOut) await api.cancelJob(tenant.key, up.job.id);
	const processing = sampler.window(up.ready, done.ended);
	const intakeSeconds = (up.ready - up.started) / 1000;
	return {
		dryRun: true,
		multipart,
		gzip,
		bytes: stats.bytes,
		records: stats.records,
		intakeSeconds,
		intakeMBps: stats.bytes / MB / intakeSeconds,
		job: {
			id: up.job.id,
			status: done.job.status,
			counts: done.job.counts,
			timedOut: done.timedOut,
			seconds: (done.ended - up.ready) / 1000,
		},
		idle,
		upload,
		processing,
		uploadQuarterPeaksMb,
		growthUploadMb: upload.totalPeakMb - idle.totalMeanMb,
		growthProcessingMb: processing.totalPeakMb - idle.totalMeanMb,
		processes: sampler.processes(),
	};
}

/** A body of `megabytes` MB: `head`, then `unit` repeated, then `tail`, streamed 1 MB at a time. */
function repeatedBody(head, unit, tail, megabytes) {
	const piece = Buffer.from(unit.repeat(Math.floor(MB / unit.length)));
	let sent = 0;
	const next = () => {
		if (sent >= megabytes * MB) return undefined;
		sent += piece.length;
		return piece;
	};
	return framed(head, next, tail);
}

/**
 * Hostile JSON bodies on POST /v1/users/bulk, each streamed whole whatever the answer: the status
 * and workerd's RSS peak above idle while each is sent, which must stay flat (the parser refuses
 * them as it reads instead of holding them).
 */
export async function hostileRun(api, sampler, { megabytes = 32 } = {}) {
	const tenant = await api.createTenant("bench-hostile");
	const bodies = {
		"10,001+ zeros": () => repeatedBody('{"users":[0', ",0", "]}", megabytes),
		"empty arrays": () => repeatedBody('{"users":[[]', ",[]", "]}", megabytes),
		"nesting 100,000 deep": () => repeatedBody('{"users":[', "[".repeat(1000), "", 0.1),
		"one record of 32 MiB": () => repeatedBody('{"users":[{"externalId":"big","firstName":"', "x", '"}]}', megabytes),
	};
	const results = [];
	for (const [name, body] of Object.entries(bodies)) {
		const idleFrom = performance.now();
		await sleep(1_000);
		const idle = sampler.window(idleFrom);
		const started = performance.now();
		let status;
		try {
			const headers = { "Content-Type": "application/json" };
			status = (await api.call(tenant.key, "POST", "/v1/users/bulk", { body: body(), headers, timeoutMs: 120_000 }))
				.status;
		} catch (error) {
			// A refusal before the body is all sent closes the connection under the client's feet.
			status = error.cause?.code === "ECONNRESET" ? "refused mid-body (connection reset)" : `error: ${error.message}`;
		}
		const seconds = (performance.now() - started) / 1000;
		// A quick refusal ends between two samples: the window runs on a little so it holds some.
		await sleep(300);
		const during = sampler.window(started);
		results.push({
			name,
			status,
			seconds,
			growthMb: during.totalPeakMb - idle.totalMeanMb,
		});
	}
	return results;
}
