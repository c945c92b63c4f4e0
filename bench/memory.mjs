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
 * Samples the processes below `rootPid` (the list is refreshed every second, in case
 * wrangler restarts one). `window(from, to)` summarizes the samples between two
 * `performance.now()` times: RSS of all workerd processes and of the app worker alone, and the
 * cores used by the worker, the proxy, wrangler's node and this client.
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
			const inside = samples.filter((s) => s.t >= from && s.t <= to);
			if (inside.length === 0) return { samples: 0 };
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
			};
		},
		stop: () => clearInterval(timer),
	};
}
