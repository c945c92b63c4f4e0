import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => ({
	plugins: [
		cloudflareTest({
			wrangler: { configPath: "./wrangler.toml" },
			miniflare: {
				bindings: {
					ADMIN_API_KEY: "test-operator-key",
					// Test-only binding: the setup file applies these to each test file's isolated D1.
					TEST_MIGRATIONS: await readD1Migrations("migrations"),
				},
			},
		}),
	],
	test: {
		setupFiles: ["test/setup.ts"],
	},
}));
