// `npm run dev`: the whole system on local emulation (D1, R2, Queues, Durable Objects) in one
// `wrangler dev`. Applies local migrations first and makes an operator key if .dev.vars has none.
// Fires the cron triggers each minute, as the platform would (see local-crons.mjs).
// Extra arguments go to `wrangler dev` (e.g. `npm run dev -- --port 9000`).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { d1Bindings } from "./config.mjs";
import { driveCrons } from "./local-crons.mjs";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const args = process.argv.slice(2);
if (!args.includes("--port")) args.push("--port", "8787");
const port = args[args.indexOf("--port") + 1];

/** Reads a secret from .dev.vars, or makes a random one and appends it there. */
function localSecret(name, prefix) {
	const vars = existsSync(".dev.vars") ? readFileSync(".dev.vars", "utf8") : "";
	const found = new RegExp(`^${name}\\s*=\\s*"?([^"\\n]+)"?`, "m").exec(vars)?.[1];
	if (found) return found;
	const value = `${prefix}_${randomBytes(24).toString("base64url")}`;
	appendFileSync(".dev.vars", `${vars && !vars.endsWith("\n") ? "\n" : ""}${name}="${value}"\n`);
	console.log(`Wrote a new local ${name} to .dev.vars`);
	return value;
}

const adminKey = localSecret("ADMIN_API_KEY", "op");
localSecret("NOTIFY_WEBHOOK_SECRET", "whsec");
localSecret("DOWNLOAD_SIGNING_KEY", "dlk");

// The control database and every record shard.
for (const binding of d1Bindings()) {
	const migrate = spawnSync("wrangler", ["d1", "migrations", "apply", binding, "--local"], {
		stdio: "inherit",
		env: { ...env, CI: "true" },
	});
	if (migrate.status !== 0) process.exit(migrate.status ?? 1);
}

const base = `http://localhost:${port}`;
console.log(`
Cohort is starting on ${base}   (API reference: ${base}/docs)

  export COHORT=${base} ADMIN_API_KEY=${adminKey}
  curl -s -X POST $COHORT/v1/tenants -H "Authorization: Bearer $ADMIN_API_KEY" \\
    -H 'Content-Type: application/json' -d '{"name":"Acme"}'
  # then, with the apiKey.key from that answer:
  curl -si $COHORT/v1/api-keys -H "Authorization: Bearer $KEY"
`);

const dev = spawn("wrangler", ["dev", ...args], { stdio: "inherit", env });
const crons = driveCrons(base);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => {
	crons.stop();
	process.exit(code ?? 0);
});
