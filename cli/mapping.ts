import { readFileSync } from "node:fs";
import { UsageError } from "./output";

/** --mapping: JSON `{header: field}`, `@file` holding that JSON, or a saved profile's name. */
export function readMapping(value: string | undefined): string | Record<string, string> | undefined {
	if (value === undefined) return undefined;
	let text = value;
	if (value.startsWith("@")) {
		try {
			text = readFileSync(value.slice(1), "utf8");
		} catch {
			throw new UsageError(`Cannot read the mapping file ${value.slice(1)}`);
		}
	}
	if (!text.trimStart().startsWith("{")) return text.trim();
	try {
		return JSON.parse(text) as Record<string, string>;
	} catch {
		throw new UsageError('The mapping is not valid JSON; give {"header": "field"}, @file or a saved mapping\'s name.');
	}
}
