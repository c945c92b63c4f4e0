import { z } from "@hono/zod-openapi";
import { KINDS } from "../db/writes/kinds";
import type { RecordType } from "../schemas/common";
import { quoteCsv } from "./report";

/**
 * One example value per column, keyed by header. The rows import as they are: an enrollment's
 * example names the user and course of the other examples, so it imports once they exist.
 */
const EXAMPLES: Record<RecordType, Record<string, string>> = {
	users: {
		externalId: "emp_001",
		email: "ada@example.com",
		firstName: "Ada",
		lastName: "Lovelace",
		companyId: "acme",
		role: "learner",
		clientId: "",
		status: "active",
		"custom.department": "Engineering",
		"metadata.plan": "pro",
	},
	companies: { companyId: "acme", name: "Acme Inc.", "metadata.plan": "pro" },
	enrollments: {
		userId: "emp_001",
		email: "",
		courseId: "crs_intro",
		learningPathId: "",
		bundleId: "",
		source: "hris",
	},
};

/** How a type's object fields appear as columns: one example key each. */
const GROUP_COLUMNS: Record<string, string> = { customFields: "custom.department", metadata: "metadata.plan" };

/** The import columns of a type, in its schema's order, with one example key for each object field. */
const columnsOf = (type: RecordType) => KINDS[type].fields.map((field) => GROUP_COLUMNS[field] ?? field);

/** A CSV template: the header row, then one example row that imports. */
export function csvTemplate(type: RecordType): string {
	const columns = columnsOf(type);
	const row = columns.map((column) => EXAMPLES[type][column] ?? "");
	return `${columns.join(",")}\r\n${row.map(quoteCsv).join(",")}\r\n`;
}

/**
 * The JSON Schema (2020-12) of one record as the JSON routes take it, generated from the schema
 * that validates it; aliases are listed under `x-aliases` (they are renamed before validation).
 */
export function recordJsonSchema(type: RecordType): Record<string, unknown> {
	const kind = KINDS[type];
	const schema = z.toJSONSchema(kind.schema, { io: "input", unrepresentable: "any" });
	return { ...schema, title: `${type} record`, "x-aliases": kind.aliases };
}
