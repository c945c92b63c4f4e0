// `--welcome`: an import that creates N users with welcome messages, delivered to a loopback
// receiver, while GET /v1/health and GET /v1/jobs/:id are timed: delivery must not hold up reads.
import { ndjsonBuffer } from "./data.mjs";
import { percentile } from "./scenarios.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function latencies(samples) {
	const sorted = samples.toSorted((a, b) => a - b);
	return { count: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) };
}

/** Times one request; a failure or timeout counts as its time and is noted. */
async function timed(errors, request) {
	const started = performance.now();
	try {
		const res = await request();
		if (res.status !== 200) errors.push(`${res.status}`);
	} catch (error) {
		errors.push(String(error.message ?? error));
	}
	return performance.now() - started;
}

export async function welcomeRun(api, receiver, { records, timeoutMs }) {
	const tenant = await api.createTenant("bench-welcome");
	const body = ndjsonBuffer(records, "wel");
	const up = await api.upload(tenant.key, "type=users&sendWelcomeEmail=true", body, "application/x-ndjson", 600_000);
	const mine = (d) => d.path === "/welcome" && d.payload?.tenantId === tenant.id;
	const health = [];
	const jobReads = [];
	const errors = [];
	const deadline = Date.now() + timeoutMs;
	let delivered = 0;
	// Reads go on from the 202 until the last welcome arrived: while the import runs and while it delivers.
	while (delivered < records && Date.now() < deadline) {
		health.push(await timed(errors, () => api.call(tenant.key, "GET", "/v1/health", { timeoutMs: 60_000 })));
		jobReads.push(
			await timed(errors, () => api.call(tenant.key, "GET", `/v1/jobs/${up.job.id}`, { timeoutMs: 60_000 })),
		);
		delivered = receiver.counts(mine).size;
		await sleep(200);
	}
	const times = receiver.deliveries.filter(mine).map((d) => d.at);
	const counts = [...receiver.counts(mine).values()];
	// Not Math.max(...times): 200,000 arguments overflow the stack.
	const first = times.reduce((a, b) => Math.min(a, b), Infinity);
	const last = times.reduce((a, b) => Math.max(a, b), -Infinity);
	const seconds = times.length > 1 ? (last - first) / 1000 : null;
	return {
		records,
		delivered,
		posts: counts.reduce((a, b) => a + b, 0),
		resent: counts.filter((n) => n > 1).length,
		problems: receiver.problems.slice(0, 10),
		deliverySeconds: seconds,
		deliveriesPerSecond: seconds ? times.length / seconds : null,
		secondsFrom202ToLast: times.length ? (last - up.startedAt - (up.accepted - up.started)) / 1000 : null,
		health: latencies(health),
		jobReads: latencies(jobReads),
		readErrors: errors.slice(0, 10),
	};
}
