// Exports of the imported users, timed, and each file imported back into the same tenant.
const MB = 1e6;
/** As for imports: at least 1,000 records/s, or the run is a failure worth seeing. */
const jobTimeoutMs = (records) => 60_000 + records;

/**
 * Exports the tenant's users in `format` and reads the job's own clock for its throughput (the
 * export job from start to completion), then downloads the file through its signed link, without
 * a key, and imports it back: every record should be `unchanged`.
 */
export async function exportRun(api, { key, format, records }) {
	const posted = performance.now();
	const created = await api.call(key, "POST", "/v1/exports", { body: JSON.stringify({ type: "users", format }) });
	if (created.status !== 202) throw new Error(`export: ${created.status} ${created.text.slice(0, 300)}`);
	const { job, timedOut } = await api.waitJob(key, created.json.id, { timeoutMs: jobTimeoutMs(records) });
	const jobSeconds = job.completedAt ? (Date.parse(job.completedAt) - Date.parse(job.startedAt)) / 1000 : Number.NaN;
	const run = { format, records, status: job.status, timedOut, counts: job.counts, jobSeconds };
	run.recordsPerSecond = job.counts.unchanged / jobSeconds;
	if (job.status !== "completed") return run;

	const downloadStarted = performance.now();
	const res = await fetch(job.links.fileDownload, { signal: AbortSignal.timeout(jobTimeoutMs(records)) });
	const file = Buffer.from(await res.arrayBuffer());
	const downloaded = performance.now();
	Object.assign(run, {
		downloadStatus: res.status,
		bytes: file.length,
		downloadMBps: file.length / MB / ((downloaded - downloadStarted) / 1000),
		e2eSeconds: (downloaded - posted) / 1000,
	});

	const since = new Date().toISOString();
	const contentType = format === "csv" ? "text/csv" : "application/x-ndjson";
	const up = await api.upload(key, "type=users", file, contentType, 60_000 + Math.ceil(file.length / 5_000));
	const back = await api.waitJob(key, up.job.id, { timeoutMs: jobTimeoutMs(records) });
	run.reimport = {
		status: back.job.status,
		counts: back.job.counts,
		seconds: (back.ended - up.started) / 1000,
		since,
	};
	return run;
}
