// `wrangler dev` never fires cron triggers by itself. This fires the ones in wrangler.toml at the
// start of each minute they match, through wrangler's local scheduled endpoint, as the platform
// would: without it, work the crons own (retention, welcome messages a restart left behind) never
// happens locally.
import { readFileSync } from "node:fs";

/** `crons = ["…", …]` from wrangler.toml. */
function configuredCrons(config) {
	const line = /^crons\s*=\s*(\[.*\])/m.exec(readFileSync(config, "utf8"));
	return line ? JSON.parse(line[1]) : [];
}

/** Minute, hour, day of month, month and weekday fields made of `*`, numbers and commas: enough for ours. */
function matches(cron, at) {
	const fields = cron.trim().split(/\s+/);
	const values = [at.getUTCMinutes(), at.getUTCHours(), at.getUTCDate(), at.getUTCMonth() + 1, at.getUTCDay()];
	if (fields.length !== 5) throw new Error(`Unsupported cron expression: ${cron}`);
	return fields.every((field, i) => {
		if (field === "*") return true;
		if (!/^\d+(,\d+)*$/.test(field)) throw new Error(`Unsupported cron field "${field}" in ${cron}`);
		return field.split(",").map(Number).includes(values[i]);
	});
}

/** Runs the Worker's scheduled handler for `cron` as at `time`, and waits for it to finish. */
export async function fireCron(base, cron, time = Date.now()) {
	const url = `${base}/cdn-cgi/local/scheduled?cron=${encodeURIComponent(cron)}&time=${time}`;
	const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
	if (!res.ok) throw new Error(`cron ${cron}: ${res.status} ${await res.text()}`);
}

export function driveCrons(base, { config = "wrangler.toml", log = console.error } = {}) {
	const crons = configuredCrons(config);
	for (const cron of crons) matches(cron, new Date());
	let timer;
	const nextMinute = () => {
		timer = setTimeout(tick, 60_000 - (Date.now() % 60_000));
		timer.unref();
	};
	function tick() {
		const at = new Date(Math.round(Date.now() / 60_000) * 60_000);
		for (const cron of crons)
			if (matches(cron, at))
				fireCron(base, cron, at.getTime()).catch((error) => log(`cron ${cron} failed: ${error.message}`));
		nextMinute();
	}
	nextMinute();
	return { stop: () => clearTimeout(timer) };
}
