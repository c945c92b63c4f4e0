import { defineConfig } from "vitest/config";

// The CLI's tests run in Node against the whole system (wrangler dev on local state), started once.
export default defineConfig({
	test: {
		include: ["test/cli/**/*.test.ts"],
		globalSetup: ["test/cli/global-setup.ts"],
		testTimeout: 120_000,
		hookTimeout: 180_000,
	},
});
