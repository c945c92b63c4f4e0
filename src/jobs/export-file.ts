import type { ExportRecord } from "../db/queries/exports";
import type { FileFormat, RecordType } from "../schemas/common";
import { quoteCsv } from "../services/report";

/** The CSV columns every export of a type has, before its `custom.*` and `metadata.*` columns: the import's own names. */
const FIXED_COLUMNS: Record<RecordType, string[]> = {
	users: ["externalId", "email", "firstName", "lastName", "companyId", "role", "clientId", "status"],
	companies: ["companyId", "name"],
	enrollments: ["userId", "email", "courseId", "learningPathId", "bundleId", "source"],
};

const GROUP_FIELDS: Record<string, string> = { custom: "customFields", metadata: "metadata" };

export const csvHeader = (type: RecordType, groupColumns: string[]) => [...FIXED_COLUMNS[type], ...groupColumns];

export const headerLine = (header: string[]) => `${header.map(quoteCsv).join(",")}\r\n`;

/**
 * A CSV cell as an import reads it back: text as it is (no spreadsheet escaping, which would change
 * the value), nothing for an absent value, and other JSON values as their JSON text.
 */
function cell(value: unknown): string {
	if (value === undefined || value === null) return "";
	return quoteCsv(typeof value === "string" ? value : JSON.stringify(value));
}

/** The value a CSV column holds for a record: a field, or a key of its customFields or metadata. */
function columnValue(record: ExportRecord, column: string): unknown {
	const dot = column.indexOf(".");
	const group = dot > 0 ? GROUP_FIELDS[column.slice(0, dot)] : undefined;
	if (!group) return record[column];
	return (record[group] as Record<string, unknown> | undefined)?.[column.slice(dot + 1)];
}

/** A page of records as the lines of an export file: one JSON record per line, or one CSV row under `header`. */
export function exportLines(format: FileFormat, header: string[], records: ExportRecord[]): string {
	if (format === "ndjson") return records.map((r) => `${JSON.stringify(r)}\n`).join("");
	return records.map((r) => `${header.map((column) => cell(columnValue(r, column))).join(",")}\r\n`).join("");
}
