// Two or more trees' systems side by side: `node bench/compare.mjs <tree> <tree> [--rounds 5]`
// starts each as the benchmark does (from a snapshot of that working tree) and sends the same kinds
// of request to each in turn, round after round, so a change is measured against the code before it
// under the same machine load. Per kind and tree: requests per second and CPU ms of the app's workerd
// thread per request, medians of the rounds after the first.
import { parseArgs } from "node:util";
import { client } from "./client.mjs";
import { userRecord } from "./data.mjs";
import { startSampler } from "./memory.mjs";
import { startServer } from "./server.mjs";

const { values: opt, positionals: trees } = parseArgs({
	options: { rounds: { type: "string", default: "5" }, requests: { type: "string", default: "300" } },
	allowPositionals: true,
});
const requests = Number(opt.requests);
const sides = [];
try {
	for (const tree of trees) {
		process.chdir(tree);
		const server = await startServer({ log: () => {} });
		const api = client(server.base, server.adminKey);
		const { key } = await api.createTenant("compare");
		sides.push({ tree, server, api, key, sampler: startSampler(server.pid), next: 0, runs: {} });
	}
	const users = (first) =>
		JSON.stringify({ users: Array.from({ length: 99 }, (_, j) => userRecord(first + j, "cmp")) });
	const kinds = {
		"GET /v1/jobs?limit=1": (s) => s.api.call(s.key, "GET", "/v1/jobs?limit=1"),
		"sync, 99 new users": (s) => {
			s.next += 99;
			return s.api.call(s.key, "POST", "/v1/users/bulk", { body: users(s.next) });
		},
		"sync, 99 unchanged users": (s) => s.api.call(s.key, "POST", "/v1/users/bulk", { body: users(0) }),
	};
	for (let round = 0; round < Number(opt.rounds); round++) {
		for (const [kind, send] of Object.entries(kinds)) {
			for (const side of round % 2 ? [...sides].reverse() : sides) {
				let sent = 0;
				const started = performance.now();
				await Promise.all(
					Array.from({ length: 16 }, async () => {
						while (sent++ < requests) {
							const res = await send(side);
							if (res.status >= 300) throw new Error(`${side.tree} ${kind}: ${res.status} ${res.text.slice(0, 200)}`);
						}
					}),
				);
				const seconds = (performance.now() - started) / 1000;
				const usage = side.sampler.window(started);
				if (round > 0) {
					side.runs[kind] ??= [];
					side.runs[kind].push([requests / seconds, (usage.workerCpuSeconds / requests) * 1000]);
				}
			}
		}
	}
	const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
	for (const kind of Object.keys(kinds)) {
		const cells = sides.map((s) => {
			const runs = s.runs[kind];
			return `${s.tree}: ${median(runs.map((r) => r[0])).toFixed(0)} req/s, ${median(runs.map((r) => r[1])).toFixed(2)} ms`;
		});
		console.log(`${kind.padEnd(26)} ${cells.join("  |  ")}`);
	}
} finally {
	for (const side of sides) await side.server.stop();
}
