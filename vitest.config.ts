import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig(async () => ({
	plugins: [
		cloudflareTest({
			wrangler: { configPath: "./wrangler.toml" },
			miniflare: {
				bindings: {
					ADMIN_API_KEY: "test-operator-key-0123456789abcdef",
					NOTIFY_WEBHOOK_SECRET: "test-notify-secret",
					DOWNLOAD_SIGNING_KEY: "test-download-signing-key",
					// Outbound fetches in tests go to the loopback server of test/loopback-server.ts only.
					ALLOW_PRIVATE_IMPORT_URLS: "loopback",
					// Small enough that the gzip bomb test stops quickly, large enough for the multi-MiB imports.
					MAX_IMPORT_BYTES: String(16 * 1024 * 1024),
					// Small pages, so that an export test of a few thousand records runs through several steps.
					EXPORT_PAGE_ROWS: "1000",
					// Test-only bindings: the setup file applies these to each test file's isolated databases.
					TEST_MIGRATIONS: await readD1Migrations("migrations/control"),
					TEST_SHARD_MIGRATIONS: await readD1Migrations("migrations/shard"),
				},
			},
		}),
	],
	test: {
		setupFiles: ["test/setup.ts"],
		globalSetup: ["test/loopback-server.ts", "test/openapi/redocly-server.ts"],
		// The CLI's tests and the fault runs run in Node against the running system: vitest.cli.config.ts,
		// test/faults/vitest.config.mjs.
		exclude: [...configDefaults.exclude, "test/cli/**", "test/faults/**"],
		testTimeout: 120_000,
		// Every request writes a log line (src/log.ts); test/log.test.ts reads them, the run need not print them.
		onConsoleLog: (log) => !/^\{"event":"(request|job)"/.test(log),
	},
}));
