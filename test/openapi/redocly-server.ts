// Runs in Node before the tests: lints the OpenAPI documents the Worker tests post to it, with Redocly's CLI
// (which needs Node, so it cannot run inside workerd) and this project's redocly.yaml.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

const require = createRequire(import.meta.url);
const cli = require.resolve("@redocly/cli/bin/cli.js");
const config = join(dirname(fileURLToPath(import.meta.url)), "../../redocly.yaml");

/** Redocly's JSON report of one document: `{totals: {errors, warnings}, problems: [...]}`. */
async function lint(document: string): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), "cohort-openapi-"));
	try {
		const file = join(dir, "openapi.json");
		await writeFile(file, document);
		const args = [cli, "lint", file, "--format=json", `--config=${config}`];
		// Tests reach loopback only: no telemetry, no update check.
		const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };
		// Redocly exits 1 when it finds errors; its report on stdout is what the test reads either way.
		return await new Promise((resolve, reject) =>
			execFile(process.execPath, args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
				stdout.trim().startsWith("{") ? resolve(stdout) : reject(error ?? new Error(stderr)),
			),
		);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

export default async function setup(project: TestProject) {
	const server = createServer((req, res) => {
		let body = "";
		req.on("data", (piece) => (body += piece));
		req.on("end", () =>
			lint(body).then(
				(report) => res.writeHead(200, { "Content-Type": "application/json" }).end(report),
				(error: Error) => res.writeHead(500).end(error.message),
			),
		);
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	project.provide("redocly", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
	return () => new Promise((resolve) => server.close(resolve));
}

declare module "vitest" {
	interface ProvidedContext {
		redocly: string;
	}
}
