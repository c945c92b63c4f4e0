import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { shardDatabases } from "../src/db/client";
import { fenceNetwork } from "./fence";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
for (const shard of shardDatabases(env)) await applyD1Migrations(shard, env.TEST_SHARD_MIGRATIONS);
fenceNetwork();
