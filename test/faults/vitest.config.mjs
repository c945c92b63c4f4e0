// `npm run test:faults`: the fault runs, in Node against the real system (not in workerd like `npm test`).
import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["test/faults/**/*.test.mjs"],
		fileParallelism: false,
		testTimeout: 300_000,
		hookTimeout: 300_000,
	},
});
