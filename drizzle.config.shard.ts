import { defineConfig } from "drizzle-kit";

/** Every record shard's migrations (bindings DB_SHARD_<n>): the same tables on each. */
export default defineConfig({
	dialect: "sqlite",
	schema: "./src/db/schema.ts",
	out: "./migrations/shard",
});
