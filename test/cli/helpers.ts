import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync } from "node:fs";
import { delimiter, join } from "node:path";
import { inject } from "vitest";

export const server = inject("server");

/** A new directory for a test's files, inside the one the whole run removes at its end. */
export const scratchDir = (name: string) => mkdtempSync(join(inject("scratch"), `${name}-`));
const LAUNCHER = join(import.meta.dirname, "..", "..", "cli", "cohort.mjs");

/**
 * The machine's own Node (20 on this project's machines), not the Node 22 that npm scripts put first
 * on PATH: the CLI must run on it.
 */
function machineNode(): string {
	for (const dir of (process.env.PATH ?? "").split(delimiter)) {
		if (dir.includes("node_modules")) continue;
		try {
			accessSync(join(dir, "node"), constants.X_OK);
			return join(dir, "node");
		} catch {}
	}
	return process.execPath;
}
const NODE = machineNode();

/** A tenant of its own for a test file, with request limits that keep the rate limiter out of the way. */
export async function newTenant(name = "cli test", limits = {}): Promise<{ id: string; key: string }> {
	const res = await fetch(`${server.base}/v1/tenants`, {
		method: "POST",
		headers: { Authorization: `Bearer ${server.adminKey}`, "Content-Type": "application/json" },
		body: JSON.stringify({ name, limits: { burst: 100_000, requestsPerMinute: 1_000_000, ...limits } }),
	});
	if (res.status !== 201) throw new Error(`tenant: ${res.status} ${await res.text()}`);
	const created = (await res.json()) as { tenant: { id: string }; apiKey: { key: string } };
	return { id: created.tenant.id, key: created.apiKey.key };
}

/** A home of its own (config and state directories), so no test reads the developer's login. */
export function home(): Record<string, string> {
	const dir = scratchDir("home");
	return { XDG_CONFIG_HOME: join(dir, "config"), XDG_STATE_HOME: join(dir, "state") };
}

/** Starts `cohort ...` with pipes for stdio (so not on a terminal). */
export function start(args: string[], env: Record<string, string>): ChildProcess {
	const inherited: Record<string, string | undefined> = { ...process.env };
	for (const name of ["COHORT_URL", "COHORT_KEY", "COHORT_ADMIN_KEY", "ADMIN_API_KEY"]) delete inherited[name];
	// worker-configuration.d.ts declares the Worker's vars on NodeJS.ProcessEnv; a CLI's environment has none of them.
	const childEnv = { ...inherited, ...env } as NodeJS.ProcessEnv;
	return spawn(NODE, [LAUNCHER, ...args], { env: childEnv, stdio: ["pipe", "pipe", "pipe"] });
}

export type Run = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Runs `cohort ...` to its end. */
export function cohort(args: string[], env: Record<string, string>, input = ""): Promise<Run> {
	const child = start(args, env);
	return finished(child, input);
}

export function finished(child: ChildProcess, input = ""): Promise<Run> {
	let stdout = "";
	let stderr = "";
	child.stdout!.on("data", (d) => (stdout += d));
	child.stderr!.on("data", (d) => (stderr += d));
	child.stdin!.end(input);
	return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
}
