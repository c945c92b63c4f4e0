// `--tenants N`: N tenants import the same file at once, first all placed on one shard, then spread
// over the shards (tenant i on shard i mod shards), in the same run. Locally every shard is a SQLite
// file inside the one workerd process, so the spread can only gain what one database's writer
// serializes; CPU per record shows whether the process, not a database, is the limit.
import { cpuPerRecord } from "./scenarios.mjs";

const jobTimeoutMs = (records) => 60_000 + records;

/** One phase: every tenant uploads at once; throughput from the first byte sent to the last job completed. */
async function phase(api, sampler, { label, shards, body, records }) {
	const tenants = [];
	for (const [i, shard] of shards.entries()) tenants.push(await api.createTenant(`bench-${label}-${i}`, { shard }));
	const started = performance.now();
	const startedAt = Date.now();
	const jobs = await Promise.all(
		tenants.map(async (tenant) => {
			const up = await api.upload(
				tenant.key,
				"type=users",
				body,
				"application/x-ndjson",
				60_000 + Math.ceil(body.length / 5_000),
			);
			const done = await api.waitJob(tenant.key, up.job.id, { timeoutMs: jobTimeoutMs(records * shards.length) });
			const completed = done.job.completedAt ? started + (Date.parse(done.job.completedAt) - startedAt) : done.ended;
			return { tenant, up, done, completed };
		}),
	);
	const ended = Math.max(...jobs.map((j) => j.completed));
	const seconds = (ended - started) / 1000;
	const total = records * shards.length;
	const usage = sampler.window(started, ended);
	return {
		label,
		shards,
		seconds,
		records: total,
		recordsPerSecond: total / seconds,
		usage,
		cpuMicrosPerRecord: cpuPerRecord(usage, total),
		// The stage split of each tenant's job (seconds from the phase's start).
		jobs: jobs.map(({ tenant, up, done, completed }) => ({
			tenantId: tenant.id,
			shard: tenant.shard,
			status: done.job.status,
			counts: done.job.counts,
			readySeconds: (up.ready - started) / 1000,
			completedSeconds: (completed - started) / 1000,
		})),
	};
}

/**
 * The same N tenants' imports on one shard (shard 0, still empty when this runs first), then spread
 * over all; the spread phase runs second, on shards that already hold the first phase's rows.
 */
export async function tenantsRun(api, sampler, { tenants, shardCount, body, records }) {
	const oneShard = await phase(api, sampler, {
		label: "one-shard",
		shards: Array.from({ length: tenants }, () => 0),
		body,
		records,
	});
	const spread = await phase(api, sampler, {
		label: "spread",
		shards: Array.from({ length: tenants }, (_, i) => i % shardCount),
		body,
		records,
	});
	return {
		tenants,
		recordsPerTenant: records,
		oneShard,
		spread,
		ratio: spread.recordsPerSecond / oneShard.recordsPerSecond,
	};
}
