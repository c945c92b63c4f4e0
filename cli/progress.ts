import { Format, Presets, SingleBar } from "cli-progress";

const stream = process.stderr;

export function duration(seconds: number | null | undefined): string {
	if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "-";
	if (seconds < 10) return `${seconds.toFixed(1)}s`;
	const s = Math.round(seconds);
	if (s < 60) return `${s}s`;
	if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
	return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export const number = (n: number) => n.toLocaleString("en-US");

/**
 * A progress bar on stderr: drawn in place on a terminal; otherwise (a pipe, a CI log) the same
 * figures as a plain line once a second and once at the end.
 */
function bar(label: string, describe: (value: number, total: number, payload: Record<string, number>) => string) {
	const tty = Boolean(stream.isTTY);
	return new SingleBar(
		{
			stream,
			noTTYOutput: true,
			notTTYSchedule: 1000,
			gracefulExit: false,
			hideCursor: true,
			clearOnComplete: !tty,
			barsize: 30,
			format: (options, params, payload) => {
				const figures = describe(params.value, params.total, payload);
				return tty ? `${label} ${Format.BarFormat(params.progress, options)} ${figures}` : `${label} ${figures}`;
			},
		},
		Presets.shades_classic,
	);
}

/** A size in B, kB, MB or GB (powers of 1000, as network rates are given). */
export function bytes(n: number, unit = n): string {
	const [divisor, name] = unit >= 1e9 ? [1e9, "GB"] : unit >= 1e6 ? [1e6, "MB"] : unit >= 1e3 ? [1e3, "kB"] : [1, "B"];
	return `${(n / divisor).toFixed(divisor === 1 ? 0 : 1)} ${name}`;
}

/** Bytes sent of the total, the rate over the last ten seconds, ETA. */
export function uploadBar() {
	const samples: [number, number][] = [];
	return bar("upload", (value, total) => {
		const now = Date.now();
		samples.push([now, value]);
		while (samples.length > 2 && now - samples[0]![0] > 10_000) samples.shift();
		const [t0, v0] = samples[0]!;
		const rate = now > t0 ? ((value - v0) / (now - t0)) * 1000 : 0;
		const percent = total > 0 ? Math.floor((value / total) * 100) : 100;
		const eta = rate > 0 ? (total - value) / rate : null;
		const sent = `${bytes(value, total).split(" ")[0]}/${bytes(total)}`;
		return `${percent}% ${sent} ${bytes(rate)}/s eta ${duration(eta)}`;
	});
}

/** Records processed of the total, records/s and ETA as the server reports them, and the failed count. */
export function recordsBar() {
	return bar("records", (value, total, payload) => {
		const percent = total > 0 ? Math.floor((value / total) * 100) : 100;
		return `${percent}% ${number(value)}/${number(total)} ${number(Math.round(payload.rate ?? 0))} rec/s eta ${duration(payload.eta)} failed ${number(payload.failed ?? 0)}`;
	});
}
