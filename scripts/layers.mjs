// The layering rule of the README's layout: the lower folders never import the upper ones
// (routes/, services/, jobs/, tenant/, dashboard/). Run by `npm run lint`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const LOWER = ["src/db", "src/ingest", "src/notify", "src/schemas", "src/auth", "src/errors.ts", "src/content-type.ts"];
const UPPER = /from "(?:\.\.?\/)+(?:routes|services|jobs|tenant|dashboard)\//;

const files = (path) =>
	statSync(path).isDirectory() ? readdirSync(path).flatMap((name) => files(join(path, name))) : [path];

const wrong = LOWER.flatMap(files)
	.filter((file) => file.endsWith(".ts"))
	.flatMap((file) =>
		readFileSync(file, "utf8")
			.split("\n")
			.map((line, i) => ({ file, line: i + 1, text: line }))
			.filter(({ text }) => UPPER.test(text)),
	);
for (const { file, line, text } of wrong) console.error(`${file}:${line}: imports an upper layer: ${text.trim()}`);
process.exit(wrong.length > 0 ? 1 : 0);
