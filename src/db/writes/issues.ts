import type { z } from "zod";
import type { Aliases } from "../../schemas/records";
import type { Item, RecordError } from "./types";

/**
 * The first problem of a record that failed its schema, as its per-record error names it: the
 * field (canonical, dotted) apart from a sentence that does not repeat it. One problem per record
 * keeps `field` and `error` about the same thing; the client sees the next once it fixes this one.
 */
export function recordIssue(error: z.ZodError): Pick<RecordError, "field" | "error"> {
	const issue = error.issues[0];
	if (!issue) return { error: "Invalid record" };
	if (issue.code === "unrecognized_keys") {
		const [key, ...more] = issue.keys;
		const names = issue.keys.map((k) => `"${k}"`).join(", ");
		return { field: key, error: more.length > 0 ? `Unknown fields ${names}` : `Unknown field ${names}` };
	}
	const path = issue.path.map(String);
	return path.length > 0 ? { field: path.join("."), error: issue.message } : { error: issue.message };
}

/**
 * Errors name fields the way the client sent them: a record that said `user_id` reads `user_id`,
 * not the canonical `externalId` its value was validated and planned under. A field the record
 * does not hold (a missing one) keeps its canonical name.
 */
export function asSent(errors: RecordError[], items: Item[], aliases: Aliases): RecordError[] {
	const records = new Map(items.map((item) => [item.ref, item.value]));
	return errors.map((e) => {
		const record = records.get(e.ref);
		if (e.field === undefined || typeof record !== "object" || record === null) return e;
		const [top, ...rest] = e.field.split(".");
		const sent = [top!, ...(aliases[top!] ?? [])].find((name) => Object.hasOwn(record, name));
		return sent === undefined || sent === top ? e : { ...e, field: [sent, ...rest].join(".") };
	});
}
