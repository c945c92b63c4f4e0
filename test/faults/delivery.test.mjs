// Delivery, idempotency and retention against the real system, killed at chosen points and started
// again on the same state (issue 18). Each crash kills every process of the system at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ndjsonBuffer } from "../../bench/data.mjs";
import { startReceiver } from "../../bench/receiver.mjs";
import { HOURLY, startSystem, until, WELCOME_SECRET } from "./system.mjs";

const WELCOMES = 20_000;
const JOB_SECRET = "whsec_faults_jobs_0123456789";
const NDJSON = "application/x-ndjson";

let receiver;
let system;
/** While set, job events get no answer: the receiver has them, the sender cannot know (see the crash below). */
let holdJobEvents = false;

beforeAll(async () => {
	receiver = await startReceiver({
		secrets: { "/welcome": WELCOME_SECRET, "/jobs": JOB_SECRET },
		hold: (d) => d.path.startsWith("/jobs") && holdJobEvents,
	});
	system = await startSystem(receiver);
	process.once("exit", () => system?.killNow());
});

afterAll(async () => {
	await system?.stop();
	await receiver?.close();
});

const welcomesOf = (tenantId) => receiver.counts((d) => d.path === "/welcome" && d.payload?.tenantId === tenantId);
const pendingWelcomes = (tenantId) =>
	system.d1(
		"SELECT count(*) AS n FROM notifications WHERE tenant_id = ? AND delivered_at IS NULL AND failed_at IS NULL",
		tenantId,
	)[0].n;

async function importUsers(key, n, prefix, query = "sendWelcomeEmail=true") {
	const { job } = await system.api.upload(key, `type=users&${query}`, ndjsonBuffer(n, prefix), NDJSON, 120_000);
	return job;
}

async function jobEnded(key, id) {
	const { job, timedOut } = await system.api.waitJob(key, id, { timeoutMs: 120_000 });
	expect(timedOut).toBe(false);
	return job;
}

it(`without faults, ${WELCOMES.toLocaleString()} welcomes are ${WELCOMES.toLocaleString()} POSTs, one per delivery id`, async () => {
	const tenant = await system.api.createTenant("no-faults");
	const job = await jobEnded(tenant.key, (await importUsers(tenant.key, WELCOMES, "nf")).id);
	expect(job.counts.created).toBe(WELCOMES);
	await until("every welcome delivered", () => pendingWelcomes(tenant.id) === 0, { timeoutMs: 180_000 });
	const counts = welcomesOf(tenant.id);
	expect(counts.size).toBe(WELCOMES);
	expect([...counts.values()].every((n) => n === 1)).toBe(true);
	expect(receiver.problems).toEqual([]);
});

it("a crash in the middle of retention leaves no file or error row of a purged job after the next run", async () => {
	const tenant = await system.api.createTenant("retention");
	const jobs = [];
	for (let i = 0; i < 10; i++) {
		// 200 records, every other one without identity: 100 error rows per job.
		const lines = Array.from({ length: 200 }, (_, j) => (j % 2 ? `{"externalId":"r${i}-${j}"}` : '{"firstName":"x"}'));
		const { job } = await system.api.upload(tenant.key, "type=users", `${lines.join("\n")}\n`, NDJSON);
		jobs.push(await jobEnded(tenant.key, job.id));
	}
	const ids = jobs.map((j) => j.id);
	const later = Date.now() + 31 * 86_400_000;
	system.server.scheduled(HOURLY, later).catch(() => undefined);
	// Killed as soon as the first job's files are gone, read straight from the state.
	await until("the purge to be under way", () => system.r2Keys(`jobs/${ids[0]}/`).length === 0, {
		timeoutMs: 60_000,
		intervalMs: 2,
	});
	await system.restart();
	const left = ids.filter((id) => system.r2Keys(`jobs/${id}/`).length > 0).length;
	console.error(`[faults] retention stopped with ${left} of ${ids.length} jobs' files left`);

	await system.server.scheduled(HOURLY, later);
	await until("every expired job to be gone", async () => {
		for (const id of ids) if ((await system.api.call(tenant.key, "GET", `/v1/jobs/${id}`)).status !== 404) return false;
		return true;
	});
	const marks = JSON.stringify(ids);
	expect(system.r2Keys("jobs/").filter((key) => ids.some((id) => key.startsWith(`jobs/${id}/`)))).toEqual([]);
	expect(
		system.d1(
			`SELECT (SELECT count(*) FROM job_errors WHERE job_id IN (SELECT value FROM json_each(?1)))
				+ (SELECT count(*) FROM job_chunks WHERE job_id IN (SELECT value FROM json_each(?1))) AS n`,
			marks,
		)[0].n,
	).toBe(0);
});

describe("one crash while welcomes are delivered, an upload streams and a job's webhook is in flight", () => {
	const welcomes = WELCOMES / 2;
	let welcomeTenant;
	let webhookTenant;
	let webhookJob;
	let upload;
	let crashedAt;
	const file = ndjsonBuffer(2_000, "idem");

	beforeAll(async () => {
		// A job whose end event the receiver takes in and never answers before the crash.
		webhookTenant = await system.api.createTenant("webhook");
		await system.api.call(webhookTenant.key, "PUT", "/v1/webhook", {
			body: JSON.stringify({ url: `${receiver.url}/jobs`, secret: JOB_SECRET }),
		});
		holdJobEvents = true;
		const small = await system.api.upload(webhookTenant.key, "type=users", '{"externalId":"w1"}\n', NDJSON);
		webhookJob = small.job.id;
		await until("the job's end event to reach the receiver", () =>
			receiver.deliveries.some((d) => d.id === `${webhookJob}.completed`),
		);

		// An upload with an Idempotency-Key whose body stops half-way, so the request is running at the crash.
		const idemTenant = await system.api.createTenant("idempotency");
		let stall;
		const body = new ReadableStream({
			start(controller) {
				controller.enqueue(file.subarray(0, file.length / 2));
			},
			pull: () => new Promise((resolve) => (stall = resolve)),
		});
		upload = { tenant: idemTenant, request: importWith(idemTenant.key, "crash-1", body).catch((e) => e) };
		await new Promise((r) => setTimeout(r, 1_000));

		welcomeTenant = await system.api.createTenant("crash");
		const job = await jobEnded(welcomeTenant.key, (await importUsers(welcomeTenant.key, welcomes, "cr")).id);
		expect(job.counts.created).toBe(welcomes);
		await until("a good part of the welcomes to be sent", () => welcomesOf(welcomeTenant.id).size >= welcomes / 5, {
			timeoutMs: 120_000,
			intervalMs: 20,
		});
		expect(welcomesOf(welcomeTenant.id).size).toBeLessThan(welcomes);
		crashedAt = Date.now();
		await system.restart();
		holdJobEvents = false;
		stall?.();
		// Tried from the restart on, while the other checks wait.
		upload.retried = until(
			"the crashed request's reservation to run out",
			async () => {
				const res = await importWith(upload.tenant.key, "crash-1", file);
				if (res.status === 409 && res.text.includes("still in progress")) return false;
				return { res, at: Date.now() };
			},
			{ timeoutMs: 150_000, intervalMs: 2_000 },
		);
		upload.retried.catch(() => undefined);
	});

	function importWith(key, idempotencyKey, body) {
		return system.api.call(key, "POST", "/v1/imports?type=users", {
			body,
			headers: { "Content-Type": NDJSON, "Idempotency-Key": idempotencyKey },
			timeoutMs: 120_000,
		});
	}

	it("every welcome arrives, none more than twice, and sending resumes within a minute of the restart", async () => {
		await until("every welcome delivered after the restart", () => pendingWelcomes(welcomeTenant.id) === 0, {
			timeoutMs: 180_000,
		});
		const resumed = receiver.deliveries.find((d) => d.at >= system.readyAt && d.payload?.tenantId === welcomeTenant.id);
		const counts = welcomesOf(welcomeTenant.id);
		const twice = [...counts.values()].filter((n) => n === 2).length;
		console.error(
			`[faults] welcomes resumed ${((resumed.at - system.readyAt) / 1000).toFixed(1)} s after the restart, ` +
				`all delivered ${((Date.now() - system.readyAt) / 1000).toFixed(1)} s after it; ${twice} sent twice`,
		);
		// The sweep runs at the start of each minute; its first step needs a moment more.
		expect(resumed.at - system.readyAt).toBeLessThanOrEqual(65_000);
		expect(counts.size).toBe(welcomes);
		expect([...counts.values()].every((n) => n <= 2)).toBe(true);
		expect(receiver.problems).toEqual([]);
	});

	it("the key the crashed upload reserved works again for the same file, and another file is a 409", async () => {
		expect(await upload.request).toBeInstanceOf(Error);
		const { res, at } = await upload.retried;
		console.error(`[faults] the key was free again ${((at - crashedAt) / 1000).toFixed(1)} s after the crash`);
		expect(res.status).toBe(202);
		expect((await importWith(upload.tenant.key, "crash-1", ndjsonBuffer(10, "other"))).status).toBe(409);
	});

	it("the job's webhook arrives after a crash right at the job's end, with the same delivery id", async () => {
		const id = `${webhookJob}.completed`;
		// The outbox sends an event again when its delivery was not confirmed within 2 minutes of the send.
		await until("the job's event to be sent again", () => receiver.deliveries.some((d) => d.id === id && d.answered), {
			timeoutMs: Math.max(10_000, system.readyAt + 180_000 - Date.now()),
			intervalMs: 500,
		});
		const posts = receiver.counts((d) => d.id === id).get(id);
		console.error(`[faults] the job event was POSTed ${posts} times (held unanswered until the crash), answered once`);
		expect(receiver.deliveries.filter((d) => d.id === id && d.answered)).toHaveLength(1);
	});
});
