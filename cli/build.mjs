// Bundles the CLI (cli/main.ts and the client in src/client/) into one file that Node 20+ runs.
// esbuild comes with wrangler; it strips types without checking them (`npm run typecheck` does that).
import { mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BUNDLE = join(ROOT, "node_modules", ".cache", "cohort-cli", "cohort.cjs");
const SOURCES = ["cli", join("src", "client")];
const INPUTS = ["package.json", join("node_modules", ".package-lock.json")];

function newest(path) {
	const stat = statSync(path, { throwIfNoEntry: false });
	if (!stat?.isDirectory()) return stat?.mtimeMs ?? 0;
	return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

export function isStale() {
	const built = statSync(BUNDLE, { throwIfNoEntry: false })?.mtimeMs ?? 0;
	return [...SOURCES, ...INPUTS].some((path) => newest(join(ROOT, path)) > built);
}

export async function bundle() {
	const { build } = await import("esbuild");
	mkdirSync(dirname(BUNDLE), { recursive: true });
	// Written aside and renamed, so two first runs at once never load a half-written file.
	const partial = `${BUNDLE}.${process.pid}`;
	await build({
		entryPoints: [join(ROOT, "cli", "main.ts")],
		outfile: partial,
		bundle: true,
		platform: "node",
		target: "node20",
		format: "cjs",
		logLevel: "error",
	});
	renameSync(partial, BUNDLE);
}
