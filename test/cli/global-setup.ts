import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startServer } from "../../bench/server.mjs";
import { bundle } from "../../cli/build.mjs";

declare module "vitest" {
	export interface ProvidedContext {
		server: { base: string; adminKey: string };
		/** A directory for the tests' files, removed at the end. */
		scratch: string;
	}
}

/** One system for every CLI test file (each makes its own tenant), and the CLI bundled once up front. */
export default async function setup(project: TestProject) {
	const [server] = await Promise.all([startServer({ log: () => {} }), bundle()]);
	const scratch = mkdtempSync(join(tmpdir(), "cohort-cli-tests-"));
	project.provide("server", { base: server.base, adminKey: server.adminKey });
	project.provide("scratch", scratch);
	return async () => {
		await server.stop();
		rmSync(scratch, { recursive: true, force: true });
	};
}
