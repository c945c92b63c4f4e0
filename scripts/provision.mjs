// `npm run provision`: creates on the Cloudflare account every resource wrangler.toml binds (the
// control D1 database, each record shard, the R2 bucket, the queues and their dead-letter queues),
// writes the new databases' ids into wrangler.toml, applies the remote migrations of each database,
// and writes random values for the required secrets to .secrets.env unless it exists.
// `--dry-run` prints the wrangler commands it would run, and runs none.
// Needs `wrangler login` (or CLOUDFLARE_API_TOKEN) first; running it again skips nothing, so run it once.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { readConfig } from "./config.mjs";

const SECRETS_FILE = ".secrets.env";

/** The wrangler commands, in order: resources first, then each database's migrations. */
export function provisionPlan(config) {
	const queues = new Set();
	for (const p of config.queues.producers ?? []) queues.add(p.queue);
	for (const c of config.queues.consumers ?? []) {
		queues.add(c.queue);
		if (c.dead_letter_queue) queues.add(c.dead_letter_queue);
	}
	return [
		...config.d1_databases.map((d) => ({ database: d.database_name, args: ["d1", "create", d.database_name] })),
		...config.r2_buckets.map((b) => ({ args: ["r2", "bucket", "create", b.bucket_name] })),
		...[...queues].map((q) => ({ args: ["queues", "create", q] })),
		...config.d1_databases.map((d) => ({ args: ["d1", "migrations", "apply", d.binding, "--remote"] })),
	];
}

/** wrangler.toml with `name`'s database_id replaced, the rest of the file as it was. */
export function withDatabaseId(toml, name, id) {
	const block = new RegExp(`(database_name = "${name}"\\s*\\ndatabase_id = ")[^"]*(")`);
	if (!block.test(toml)) throw new Error(`wrangler.toml has no database_id line after database_name = "${name}"`);
	return toml.replace(block, `$1${id}$2`);
}

function main() {
	const { values } = parseArgs({ options: { "dry-run": { type: "boolean" }, config: { type: "string" } } });
	const configPath = values.config ?? "wrangler.toml";
	const config = readConfig(configPath);
	const dryRun = values["dry-run"] === true;
	for (const step of provisionPlan(config)) {
		console.log(`wrangler ${step.args.join(" ")}`);
		if (dryRun) continue;
		const out = execFileSync("wrangler", ["--config", configPath, ...step.args], { encoding: "utf8" });
		if (step.database) {
			const id = out.match(/database_id["\s:=]+"([0-9a-f-]{36})"/)?.[1];
			if (!id) throw new Error(`wrangler d1 create ${step.database} printed no database id:\n${out}`);
			writeFileSync(configPath, withDatabaseId(readFileSync(configPath, "utf8"), step.database, id));
		}
	}
	const required = config.secrets?.required ?? [];
	if (existsSync(SECRETS_FILE)) return console.log(`${SECRETS_FILE} exists: kept`);
	console.log(`write ${SECRETS_FILE}: random ${required.join(", ")}`);
	if (dryRun) return;
	const lines = required.map((name) => `${name}="${randomBytes(32).toString("base64url")}"`);
	writeFileSync(SECRETS_FILE, `${lines.join("\n")}\n`, { mode: 0o600 });
}

if (import.meta.url === `file://${process.argv[1]}`) main();
