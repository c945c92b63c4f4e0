import { defineConfig } from "drizzle-kit";

/** The control database's migrations (binding DB); the shards' are in drizzle.config.shard.ts. */
export default defineConfig({
	dialect: "sqlite",
	schema: "./src/db/control-schema.ts",
	out: "./migrations/control",
});
