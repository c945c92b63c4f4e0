// Resident memory and CPU of the workerd processes (and of this client), sampled from /proc every
// 100 ms while the bench runs. CPU shows whether a slow phase is busy or waiting.
import { readFileSync } from "node:fs";
import { serverProcesses } from "./server.mjs";

function rssMb(pid) {
	try {
		const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
		return match ? Number(match[1]) / 1024 : 0;
	} catch {
		return 0;
	}
}

/** User plus system CPU seconds of a process (utime and stime are in ticks of 1/100 s on Linux). */
function cpuSeconds(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
		const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
		return (Number(fields[11]) + Number(fields[12])) / 100;
	} catch {
		return 0;
	}
}

/**
 * A CPU counter at time `t`, interpolated between the samples either side of it: the windows the
 * bench asks about (a 0.3 s intake) are only a few samples long.
 */
function cpuAt(samples, value, t) {
	const after = samples.findIndex((s) => s.t >= t);
	if (after === -1) return value(samples.at(-1));
	if (after === 0) return value(samples[0]);
	const [a, b] = [samples[after - 1], samples[after]];
	return value(a) + ((value(b) - value(a)) * (t - a.t)) / (b.t - a.t);
}

/**
 * Samples the processes below `rootPid` (the list is refreshed every second, in case
 * wrangler restarts one). `window(from, to)` summarizes the samples between two
 * `performance.now()` times: RSS of all workerd processes and of the app worker alone, and the
 * cores used by the worker, the proxy, wrangler's node and this client, and the CPU seconds spent.
 */
export function startSampler(rootPid, intervalMs = 100) {
	const samples = [];
	let processes = serverProcesses(rootPid);
	let refreshed = performance.now();
	const timer = setInterval(() => {
		const t = performance.now();
		if (t - refreshed > 1_000) {
			processes = serverProcesses(rootPid);
			refreshed = t;
		}
		const own = process.cpuUsage();
		const s = {
			t,
			total: 0,
			worker: 0,
			workerCpu: 0,
			proxyCpu: 0,
			nodeCpu: 0,
			clientCpu: (own.user + own.system) / 1e6,
		};
		for (const p of processes) {
			s[`${p.role}Cpu`] += cpuSeconds(p.pid);
			if (p.role === "node") continue;
			const mb = rssMb(p.pid);
			s.total += mb;
			if (p.role === "worker") s.worker = Math.max(s.worker, mb);
		}
		samples.push(s);
	}, intervalMs);
	timer.unref();
	return {
		processes: () => processes,
		window(from, to = performance.now()) {
			const system = (s) => s.workerCpu + s.proxyCpu + s.nodeCpu;
			const cpu = (key) => (samples.length ? cpuAt(samples, key, to) - cpuAt(samples, key, from) : 0);
			// CPU seconds spent in the window: the app's workerd, and all of the system (workerd, proxy, wrangler).
			const spent = { workerCpuSeconds: cpu((s) => s.workerCpu), serverCpuSeconds: cpu(system) };
			const inside = samples.filter((s) => s.t >= from && s.t <= to);
			if (inside.length === 0) return { samples: 0, ...spent };
			const mean = (key) => inside.reduce((sum, s) => sum + s[key], 0) / inside.length;
			const max = (key) => Math.max(...inside.map((s) => s[key]));
			const [first, last] = [inside[0], inside.at(-1)];
			const cores = (key) => (last.t > first.t ? (last[key] - first[key]) / ((last.t - first.t) / 1000) : 0);
			return {
				samples: inside.length,
				totalMeanMb: mean("total"),
				totalPeakMb: max("total"),
				workerMeanMb: mean("worker"),
				workerPeakMb: max("worker"),
				workerCores: cores("workerCpu"),
				proxyCores: cores("proxyCpu"),
				wranglerNodeCores: cores("nodeCpu"),
				clientCores: cores("clientCpu"),
				...spent,
			};
		},
		stop: () => clearInterval(timer),
	};
}
