import type { TestProject } from "vitest/node";
import { startServer } from "../../bench/server.mjs";
import { bundle } from "../../cli/build.mjs";

declare module "vitest" {
	export interface ProvidedContext {
		server: { base: string; adminKey: string };
	}
}

/** One system for every CLI test file (each makes its own tenant), and the CLI bundled once up front. */
export default async function setup(project: TestProject) {
	const [server] = await Promise.all([startServer({ log: () => {} }), bundle()]);
	project.provide("server", { base: server.base, adminKey: server.adminKey });
	return () => server.stop();
}
