// The system under test, started as `npm run dev` starts it (local migrations, then `wrangler dev`),
// but on free ports, with its own state directory and operator key, so it neither reads the
// developer's state nor .dev.vars. It runs from a snapshot of the working tree: `wrangler dev`
// reloads on every change under src/, which would restart in-flight jobs mid-measurement.
// The wrangler tree is one process group, killed as one.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readdirSync,
	readFileSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { d1Bindings } from "../scripts/config.mjs";
import { driveCrons, fireCron } from "../scripts/local-crons.mjs";

export const ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" };

/** Runs a wrangler command to completion (bounded in time) and returns its stdout. */
export function wrangler(args, { cwd, timeoutMs = 120_000 } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn("wrangler", args, { cwd, env: ENV, stdio: ["ignore", "pipe", "pipe"] });
		let out = "";
		let err = "";
		child.stdout.on("data", (d) => (out += d));
		child.stderr.on("data", (d) => (err += d));
		const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
		child.on("exit", (code, signal) => {
			clearTimeout(timer);
			if (code === 0) resolve(out);
			else
				reject(
					new Error(`wrangler ${args.slice(0, 3).join(" ")} failed (${signal ?? code}): ${(err || out).slice(-2000)}`),
				);
		});
	});
}

/** Copies the files git would see (tracked or not ignored) to `<dir>/app`; node_modules is linked. */
function snapshot(dir) {
	const app = join(dir, "app");
	const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
		encoding: "utf8",
	});
	for (const file of files.split("\0")) {
		if (!file || !existsSync(file)) continue;
		mkdirSync(join(app, dirname(file)), { recursive: true });
		copyFileSync(file, join(app, file));
	}
	symlinkSync(resolve("node_modules"), join(app, "node_modules"), "dir");
	return app;
}

export function freePort() {
	return new Promise((resolve, reject) => {
		const server = createServer().once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function groupAlive(pgid) {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch {
		return false;
	}
}

/**
 * The processes below `rootPid`, found through /proc: workerd as "worker" (runs the app and the
 * emulated D1, R2, Queues, Durable Objects) or "proxy" (fronts it), and wrangler's own "node".
 */
export function serverProcesses(rootPid) {
	const children = new Map();
	for (const name of readdirSync("/proc")) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = readFileSync(`/proc/${name}/stat`, "utf8");
			const close = stat.lastIndexOf(")");
			const comm = stat.slice(stat.indexOf("(") + 1, close);
			const ppid = Number(stat.slice(close + 2).split(" ")[1]);
			if (!children.has(ppid)) children.set(ppid, []);
			children.get(ppid).push({ pid: Number(name), comm });
		} catch {
			// The process ended while we listed it.
		}
	}
	const found = [];
	const queue = [rootPid];
	while (queue.length > 0) {
		for (const child of children.get(queue.shift()) ?? []) {
			queue.push(child.pid);
			if (child.comm === "node") found.push({ pid: child.pid, role: "node" });
			if (child.comm !== "workerd") continue;
			let cmdline = "";
			try {
				cmdline = readFileSync(`/proc/${child.pid}/cmdline`, "utf8");
			} catch {}
			found.push({ pid: child.pid, role: cmdline.includes("--inspector-addr") ? "worker" : "proxy" });
		}
	}
	return found;
}

/**
 * Migrates a fresh state directory, starts `wrangler dev` on it and waits for GET /v1/health.
 * `stop()` kills the whole process group (SIGTERM, then SIGKILL after 5 s) and removes the state;
 * `crash()` kills it at once (SIGKILL) and keeps the state. Given the `dir` of an earlier server,
 * starts again on its snapshot, state and operator key, as a machine restarting after a crash would.
 * `vars` are passed as `--var`s; `crons` fires wrangler.toml's cron triggers as the platform would.
 */
export async function startServer({
	readyTimeoutMs = 120_000,
	log = console.error,
	dir: earlier,
	vars = {},
	crons = false,
} = {}) {
	const dir = earlier ?? mkdtempSync(join(tmpdir(), "cohort-bench-"));
	const app = earlier ? join(dir, "app") : snapshot(dir);
	const keyFile = join(dir, "admin-key");
	if (!existsSync(keyFile)) writeFileSync(keyFile, `op_bench_${randomBytes(24).toString("base64url")}`);
	const adminKey = readFileSync(keyFile, "utf8");
	const persist = ["--persist-to", join(dir, "state")];
	let child;
	let cronDriver;
	const server = {
		dir,
		app,
		adminKey,
		base: "",
		pid: 0,
		logFile: join(dir, "wrangler.log"),
		/** Runs SQL against one of the server's local D1 databases through wrangler, as a developer would. */
		async d1(command, binding = "DB") {
			const out = await wrangler(["d1", "execute", binding, "--local", ...persist, "--command", command, "--json"], {
				cwd: app,
			});
			return JSON.parse(out)[0].results;
		},
		/** Runs SQL on every record shard; their rows, concatenated. */
		async records(command) {
			const shards = d1Bindings(join(app, "wrangler.toml")).slice(1);
			return (await Promise.all(shards.map((binding) => server.d1(command, binding)))).flat();
		},
		reloads() {
			try {
				return (readFileSync(server.logFile, "utf8").match(/Reloading local server/g) ?? []).length;
			} catch {
				return 0;
			}
		},
		async stop({ keepState = false } = {}) {
			cronDriver?.stop();
			if (child && groupAlive(child.pid)) {
				process.kill(-child.pid, "SIGTERM");
				for (let i = 0; i < 50 && groupAlive(child.pid); i++) await sleep(100);
				if (groupAlive(child.pid)) process.kill(-child.pid, "SIGKILL");
			}
			if (!keepState) rmSync(dir, { recursive: true, force: true });
		},
		/** For process 'exit' handlers, which cannot wait. */
		killNow() {
			cronDriver?.stop();
			if (child && groupAlive(child.pid)) process.kill(-child.pid, "SIGKILL");
		},
		/** Runs the scheduled handler for one of wrangler.toml's crons now, or as at `time` (epoch ms). */
		scheduled: (cron, time) => fireCron(server.base, cron, time),
		/** Every process of the system dies at once, mid-whatever, as in a power cut; the state stays. */
		async crash() {
			server.killNow();
			for (let i = 0; i < 100 && child && groupAlive(child.pid); i++) await sleep(50);
		},
	};
	try {
		log(`state: ${dir}; applying migrations`);
		for (const binding of d1Bindings(join(app, "wrangler.toml"))) {
			await wrangler(["d1", "migrations", "apply", binding, "--local", ...persist], { cwd: app });
		}
		const [port, inspector] = [await freePort(), await freePort()];
		server.base = `http://127.0.0.1:${port}`;
		const out = openSync(server.logFile, "a");
		child = spawn(
			"wrangler",
			[
				"dev",
				"--ip",
				"127.0.0.1",
				"--port",
				String(port),
				"--inspector-port",
				String(inspector),
				...persist,
				"--var",
				`ADMIN_API_KEY:${adminKey}`,
				"--var",
				`DOWNLOAD_SIGNING_KEY:${randomBytes(24).toString("base64url")}`,
				...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
				"--show-interactive-dev-session=false",
			],
			{ cwd: app, env: ENV, detached: true, stdio: ["ignore", out, out] },
		);
		server.pid = child.pid;
		const deadline = Date.now() + readyTimeoutMs;
		while (true) {
			if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}); see ${server.logFile}`);
			if (Date.now() > deadline) throw new Error(`not ready after ${readyTimeoutMs} ms; see ${server.logFile}`);
			try {
				const res = await fetch(`${server.base}/v1/health`, { signal: AbortSignal.timeout(5_000) });
				if (res.ok) break;
			} catch {}
			await sleep(250);
		}
		log(`ready on ${server.base} (wrangler pid ${child.pid})`);
		if (crons) cronDriver = driveCrons(server.base, { config: join(app, "wrangler.toml"), log });
		return server;
	} catch (error) {
		await server.stop({ keepState: true });
		throw error;
	}
}
