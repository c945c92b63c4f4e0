// The real system for fault runs: started as `npm run bench` starts it (bench/server.mjs), with a
// loopback receiver as NOTIFY_WEBHOOK_URL, crashed by killing its whole process group and started
// again on the same state. Invariants are read from that state: D1 and R2 are SQLite files there.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { client } from "../../bench/client.mjs";
import { startServer } from "../../bench/server.mjs";

export const WELCOME_SECRET = "whsec_faults_0123456789abcdef";
export const HOURLY = "17 * * * *";

/** Fault runs report what they measured on stderr, where vitest shows it. */
export const log = (message) => console.error(`[faults] ${message}`);
export const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The SQLite files of a miniflare storage folder (D1 databases, R2 bucket index) under the state. */
function stateFiles(dir, kind) {
	const folder = join(dir, "state", "v3", kind);
	return readdirSync(folder)
		.filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")
		.map((f) => join(folder, f));
}

/** The one SQLite file of a storage folder that has one (the R2 bucket index). */
function stateFile(dir, kind) {
	const files = stateFiles(dir, kind);
	if (files.length !== 1) throw new Error(`expected one database in ${kind}, found ${files.join(", ")}`);
	return files[0];
}

/**
 * A query on every D1 database whose tables it names (the control database and the record shards):
 * their rows, concatenated, except that a count (one row with one column `n` from each) adds up.
 */
function d1Query(dir, sql, params) {
	const answers = stateFiles(dir, "d1/miniflare-D1DatabaseObject").flatMap((file) => {
		try {
			return [query(file, sql, params)];
		} catch (error) {
			if (/no such table/.test(String(error))) return [];
			throw error;
		}
	});
	const counts = answers.every((rows) => rows.length === 1 && Object.keys(rows[0]).join() === "n");
	if (counts && answers.length > 0) return [{ n: answers.reduce((sum, rows) => sum + rows[0].n, 0) }];
	return answers.flat();
}

function query(file, sql, params) {
	// The running system writes to the same files: wait for its locks instead of failing.
	const db = new DatabaseSync(file, { readOnly: true, timeout: 10_000 });
	try {
		return db.prepare(sql).all(...params);
	} finally {
		db.close();
	}
}

/** `extraVars`: more `--var`s, such as the fault switch FAULT_CHUNK_FIRST_ATTEMPT_EVERY. */
export async function startSystem(receiver, extraVars = {}) {
	const vars = {
		NOTIFY_WEBHOOK_URL: `${receiver.url}/welcome`,
		NOTIFY_WEBHOOK_SECRET: WELCOME_SECRET,
		ALLOW_PRIVATE_IMPORT_URLS: "1",
		...extraVars,
	};
	let server = await startServer({ vars, crons: true, log });
	const system = {
		server,
		api: client(server.base, server.adminKey),
		/** When the running server answered its first health check. */
		readyAt: Date.now(),
		/** Kills every process at once and starts again on the same state; resolves once it serves. */
		async restart() {
			await server.crash();
			log("crashed; starting again on the same state");
			server = await startServer({ dir: server.dir, vars, crons: true, log });
			system.server = server;
			system.api = client(server.base, server.adminKey);
			system.readyAt = Date.now();
		},
		d1: (sql, ...params) => d1Query(server.dir, sql, params),
		r2Keys: (prefix) =>
			query(stateFile(server.dir, "r2/miniflare-R2BucketObject"), "SELECT key FROM _mf_objects WHERE key LIKE ?", [
				`${prefix}%`,
			]).map((r) => r.key),
		stop: () => server.stop({ keepState: Boolean(process.env.KEEP_STATE) }),
		killNow: () => server.killNow(),
	};
	return system;
}

/** Polls `check` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function until(what, check, { timeoutMs = 60_000, intervalMs = 250 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(intervalMs);
	}
}
