import { type Client, resultRows } from "../src/client";
import { print, table } from "./output";
import { number } from "./progress";

/** Example updates printed under the per-field counts. */
const EXAMPLES = 10;

const shown = (value: unknown) =>
	value === null ? "(none)" : typeof value === "string" ? value : JSON.stringify(value);

/**
 * What a preview would change, read from its results: how many records each field changes in, and
 * the first few updates field by field. Returns how many records it would update.
 */
export async function printChanges(api: Client, jobId: string): Promise<number> {
	const fields = new Map<string, number>();
	const examples: string[][] = [];
	let updates = 0;
	for await (const row of resultRows(api, jobId)) {
		if (!row.changes) continue;
		updates++;
		for (const [field, [before, after]] of Object.entries(row.changes)) {
			fields.set(field, (fields.get(field) ?? 0) + 1);
			if (examples.length < EXAMPLES) {
				const where = row.line !== undefined ? `line ${row.line}` : `index ${row.index}`;
				examples.push([where, row.externalId ?? row.email ?? "", field, shown(before), shown(after)]);
			}
		}
	}
	if (updates === 0) {
		print("The preview updates no existing record.");
		return 0;
	}
	print(`\nThe preview would update ${number(updates)} records:`);
	print(table([["FIELD", "RECORDS"], ...[...fields].map(([f, n]) => [f, number(n)])], [1]));
	print("");
	print(table([["WHERE", "RECORD", "FIELD", "BEFORE", "AFTER"], ...examples]));
	return updates;
}
