// A small client for the Cohort API; every call is bounded in time.

const TERMINAL = new Set(["completed", "failed", "cancelled"]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function client(base, adminKey) {
	async function call(key, method, path, { body, headers = {}, timeoutMs = 30_000 } = {}) {
		const res = await fetch(`${base}${path}`, {
			method,
			headers: {
				Authorization: `Bearer ${key}`,
				...(typeof body === "string" ? { "Content-Type": "application/json" } : {}),
				...headers,
			},
			body,
			duplex: body instanceof ReadableStream ? "half" : undefined,
			signal: AbortSignal.timeout(timeoutMs),
		});
		const text = await res.text();
		let json;
		try {
			json = JSON.parse(text);
		} catch {}
		return { status: res.status, json, text };
	}

	async function expect(status, promise) {
		const res = await promise;
		if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
		return res.json;
	}

	return {
		call,
		/**
		 * A tenant whose limits do not get in the way of the bench, on `shard` if given (else the
		 * least-loaded); returns its id, shard and super_admin key.
		 */
		async createTenant(name, { shard } = {}) {
			const limits = { burst: 100_000, requestsPerMinute: 1_000_000 };
			const created = await expect(
				201,
				call(adminKey, "POST", "/v1/tenants", { body: JSON.stringify({ name, limits, shard }) }),
			);
			return { id: created.tenant.id, shard: created.tenant.shard, key: created.apiKey.key };
		},
		/**
		 * Uploads a file body; times are performance.now() at the request's start, when the server
		 * stored the job (its createdAt: the 202 was ready) and when the 202 arrived. The 202 can
		 * arrive later than it was ready: locally the consumer starts on the job on the same thread.
		 */
		async upload(key, query, body, contentType, timeoutMs, headers = {}) {
			const started = performance.now();
			const startedAt = Date.now();
			const job = await expect(
				202,
				call(key, "POST", `/v1/imports?${query}`, {
					body,
					headers: { "Content-Type": contentType, ...headers },
					timeoutMs,
				}),
			);
			const accepted = performance.now();
			// Client and server share this machine's clock; the job's createdAt has whole milliseconds.
			const ready = Math.min(accepted, started + Math.max(0, Date.parse(job.createdAt) - startedAt));
			return { job, started, startedAt, ready, accepted };
		},
		/**
		 * Polls GET /v1/jobs/:id until the job ends or `timeoutMs` passes (then returns the last
		 * state); `progress` holds [performance.now(), processed] each time the count moved.
		 */
		async waitJob(key, id, { timeoutMs, intervalMs = 200 }) {
			const deadline = Date.now() + timeoutMs;
			const progress = [];
			while (true) {
				const job = await expect(200, call(key, "GET", `/v1/jobs/${id}`));
				const ended = performance.now();
				if (job.counts.processed !== progress.at(-1)?.[1]) progress.push([ended, job.counts.processed]);
				if (TERMINAL.has(job.status)) return { job, ended, progress, timedOut: false };
				if (Date.now() > deadline) return { job, ended, progress, timedOut: true };
				await sleep(intervalMs);
			}
		},
		async cancelJob(key, id) {
			return call(key, "POST", `/v1/jobs/${id}/cancel`);
		},
	};
}
