import { type Client, followJob, type Job } from "../src/client";
import { onInterrupt } from "./interrupt";
import { EXIT, print, table } from "./output";
import { duration, number, recordsBar } from "./progress";

const ENDED = ["completed", "failed", "cancelled"];

/** Thrown when Ctrl-C stops the watching (the job itself goes on). */
export class StoppedWatching extends Error {}

/** Follows the job's event stream until it ends, with a records bar unless the output is JSON. */
export async function watchJob(client: Client, job: Job, { json = false } = {}): Promise<Job> {
	if (ENDED.includes(job.status)) return job;
	const controller = new AbortController();
	const release = onInterrupt(() => controller.abort());
	const bar = json ? undefined : recordsBar();
	const figures = (j: Job) => ({ rate: j.recordsPerSecond, eta: j.etaSeconds ?? Number.NaN, failed: j.counts.failed });
	bar?.start(job.counts.total, job.counts.processed, figures(job));
	let last = job;
	try {
		for await (const next of followJob(client, job.id, { signal: controller.signal })) {
			last = next;
			bar?.setTotal(next.counts.total);
			bar?.update(next.counts.processed, figures(next));
		}
		return last;
	} catch (error) {
		if (controller.signal.aborted)
			throw new StoppedWatching(
				`Stopped watching job ${job.id}; it goes on. Follow it with \`cohort jobs watch ${job.id}\`.`,
			);
		throw error;
	} finally {
		bar?.stop();
		release();
	}
}

/** 0 when the job completed without failed records (or they are allowed), else 1. */
export function jobExit(job: Job, allowFailures = false): number {
	if (job.status !== "completed") return EXIT.failed;
	return job.counts.failed > 0 && !allowFailures ? EXIT.failed : EXIT.ok;
}

/** The end of an import or a watch: what happened to the records, how long it took, where the errors are. */
export function printSummary(job: Job, times: { totalMs?: number; uploadMs?: number } = {}, errorsFile?: string) {
	const { counts } = job;
	// `unchanged` is newer than some servers; it is shown when the server reports it.
	const unchanged = (counts as { unchanged?: number }).unchanged;
	const deactivated = (counts as { deactivated?: number }).deactivated ?? 0;
	const took = times.totalMs === undefined ? "" : ` in ${duration(times.totalMs / 1000)}`;
	const split =
		times.uploadMs === undefined || times.totalMs === undefined
			? ""
			: ` (upload ${duration(times.uploadMs / 1000)}, processing ${duration((times.totalMs - times.uploadMs) / 1000)})`;
	print();
	print(`Job ${job.id} ${job.status}${took}${split}${job.dryRun ? ", dry run: nothing was written" : ""}`);
	if (job.errorMessage) print(job.errorMessage);
	const rows = [
		["created", number(counts.created)],
		["updated", number(counts.updated)],
		["unchanged", unchanged === undefined ? "-" : number(unchanged)],
		["skipped", number(counts.skipped)],
		["failed", number(counts.failed)],
		["total", number(counts.total)],
		// Only a full sync deactivates users (not records of the file, so after the total).
		...(deactivated > 0 ? [["deactivated", number(deactivated)]] : []),
	];
	print(
		table(
			rows.map(([name, value]) => [`  ${name!}`, value!]),
			[1],
		),
	);
	if (errorsFile) print(`${number(counts.failed)} records failed; the error report is ${errorsFile}`);
}
