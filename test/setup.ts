import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { fenceNetwork } from "./fence";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
fenceNetwork();
