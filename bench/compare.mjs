// Two or more trees' systems side by side: `node bench/compare.mjs <tree> <tree> [--rounds 5]`
// starts each as the benchmark does (from a snapshot of that working tree) and sends the same kinds
// of request (those of `--request-costs`) to each in turn, round after round, so a change is
// measured against the code before it under the same machine load. Per kind and tree: requests per
// second and CPU ms of the app's workerd thread per request, medians of the rounds after the first.
import { parseArgs } from "node:util";
import { client } from "./client.mjs";
import { startSampler } from "./memory.mjs";
import { median, requestKinds, timedRequests } from "./scenarios.mjs";
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
		sides.push({ tree, server, kinds: requestKinds(api, key), sampler: startSampler(server.pid), runs: {} });
	}
	const kinds = Object.keys(sides[0]?.kinds ?? {});
	for (let round = 0; round < Number(opt.rounds); round++) {
		for (const kind of kinds) {
			for (const side of round % 2 ? [...sides].reverse() : sides) {
				const run = await timedRequests(side.sampler, side.kinds[kind], { requests });
				if (round > 0) {
					side.runs[kind] ??= [];
					side.runs[kind].push(run);
				}
			}
		}
	}
	for (const kind of kinds) {
		const cells = sides.map((s) => {
			const runs = s.runs[kind];
			return `${s.tree}: ${median(runs.map((r) => r.requestsPerSecond)).toFixed(0)} req/s, ${median(runs.map((r) => r.workerMsPerRequest)).toFixed(2)} ms`;
		});
		console.log(`${kind.padEnd(26)} ${cells.join("  |  ")}`);
	}
} finally {
	for (const side of sides) await side.server.stop();
}
