// Starts bench/bare-put (a Worker whose one job is an R2 put of the request body) with
// `wrangler dev` on a free loopback port and its own state, so the benchmark can time upload
// intake against the local R2 emulator's own ceiling in the same run.
import { spawn } from "node:child_process";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENV, freePort, groupAlive } from "./server.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MB = 1e6;

export async function startBarePut({ log = console.error, readyTimeoutMs = 120_000 } = {}) {
	const dir = mkdtempSync(join(tmpdir(), "cohort-bench-bare-"));
	const [port, inspector] = [await freePort(), await freePort()];
	const base = `http://127.0.0.1:${port}`;
	const child = spawn(
		"wrangler",
		[
			"dev",
			"--config",
			"bench/bare-put/wrangler.toml",
			"--ip",
			"127.0.0.1",
			"--port",
			String(port),
			"--inspector-port",
			String(inspector),
			"--persist-to",
			join(dir, "state"),
			"--show-interactive-dev-session=false",
		],
		{ env: ENV, detached: true, stdio: ["ignore", openSync(join(dir, "wrangler.log"), "a"), "ignore"] },
	);
	const stop = async () => {
		if (groupAlive(child.pid)) {
			process.kill(-child.pid, "SIGTERM");
			for (let i = 0; i < 50 && groupAlive(child.pid); i++) await sleep(100);
			if (groupAlive(child.pid)) process.kill(-child.pid, "SIGKILL");
		}
		rmSync(dir, { recursive: true, force: true });
	};
	const deadline = Date.now() + readyTimeoutMs;
	while (true) {
		if (child.exitCode !== null || Date.now() > deadline) {
			await stop();
			throw new Error(`the bare put Worker did not start (exit ${child.exitCode})`);
		}
		try {
			if ((await fetch(base, { signal: AbortSignal.timeout(5_000) })).ok) break;
		} catch {}
		await sleep(250);
	}
	log(`bare R2 put Worker ready on ${base} (wrangler pid ${child.pid})`);
	return {
		pid: child.pid,
		stop,
		killNow: () => groupAlive(child.pid) && process.kill(-child.pid, "SIGKILL"),
		/** One PUT of `body`: seconds until the response (client) and until the put was done (server clock). */
		async put(body) {
			const [started, startedAt] = [performance.now(), Date.now()];
			const res = await fetch(base, { method: "PUT", body, signal: AbortSignal.timeout(600_000) });
			if (res.status !== 201) throw new Error(`bare put: ${res.status} ${await res.text()}`);
			const { doneAt } = await res.json();
			const clientSeconds = (performance.now() - started) / 1000;
			const serverSeconds = (doneAt - startedAt) / 1000;
			return {
				bytes: body.length,
				clientSeconds,
				serverSeconds,
				clientMBps: body.length / MB / clientSeconds,
				serverMBps: body.length / MB / serverSeconds,
			};
		},
	};
}
