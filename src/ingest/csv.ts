import { parse } from "csv-parse/sync";
import { ApiError } from "../errors";
import type { ColumnTarget } from "../schemas/jobs";
import { closestField, normalize, type RecordColumns, resolveColumn } from "./headers";
import { isBlank, isUtf8, type ParsedLine } from "./lines";
import { RecordScanner } from "./scan";

const PARSE_OPTIONS = { record_delimiter: "\n", relax_column_count: true } as const;
/** Spec §13. */
const MAX_COLUMNS = 1000;

/** A client's `{header: field}`: where a column goes, when its header does not say it by itself. */
export type ColumnMapping = Readonly<Record<string, string>>;

/**
 * Maps header names to targets: through `mapping` first (its keys matched exactly, else as
 * `normalize` leaves them), then by the header itself (fields, aliases and synonyms, case, spaces
 * and punctuation ignored). Unknown or repeated columns, or more than 1,000 of them, are a 400; an
 * unknown one is named with the closest field when one is near.
 */
export function mapCsvHeader(
	headerText: string,
	record: RecordColumns,
	mapping: ColumnMapping = {},
): { columns: ColumnTarget[] } {
	const names = parseHeader(headerText);
	if (names.length > MAX_COLUMNS) {
		throw new ApiError(
			"VALIDATION_ERROR",
			`A CSV file may have at most ${MAX_COLUMNS} columns; this one has ${names.length}`,
			[{ path: "header", message: `more than ${MAX_COLUMNS} columns` }],
		);
	}
	const mapped = new Map(Object.entries(mapping).map(([header, field]) => [normalize(header), field]));
	const unknown: string[] = [];
	const duplicates: string[] = [];
	const seen = new Map<string, string>();
	const columns = names.map((name): ColumnTarget => {
		const field = mapping[name] ?? mapped.get(normalize(name));
		const target = resolveColumn(field ?? name, record);
		if (!target) {
			unknown.push(field === undefined ? unknownHeader(name, record) : unknownTarget(name, field, record));
			return { field: "" };
		}
		const id = targetId(target);
		const first = seen.get(id);
		if (first !== undefined) duplicates.push(`"${name}" (same as "${first}")`);
		else seen.set(id, name);
		return { ...target, header: name };
	});
	const problems = [
		...(unknown.length ? [`Unknown CSV column(s): ${unknown.join(", ")}`] : []),
		...(duplicates.length ? [`Duplicate CSV column(s): ${duplicates.join(", ")}`] : []),
	];
	if (problems.length) {
		throw new ApiError(
			"VALIDATION_ERROR",
			problems.join("; "),
			problems.map((message) => ({ path: "header", message })),
		);
	}
	return { columns };
}

/** `; did you mean "email"?`, or nothing when no field is close. */
export function didYouMean(name: string, record: RecordColumns): string {
	const field = closestField(name, record);
	return field ? `; did you mean "${field}"?` : "";
}

const unknownHeader = (header: string, record: RecordColumns) => {
	const field = closestField(header, record);
	return field ? `"${header}" (did you mean "${field}"?)` : `"${header}"`;
};
const unknownTarget = (header: string, field: string, record: RecordColumns) =>
	`"${header}" (mapped to "${field}", which is not a field${didYouMean(field, record)})`;

const targetId = (target: ColumnTarget) => (target.key === undefined ? target.field : `${target.field}.${target.key}`);

/**
 * How the error of a CSV record names what failed: the header cell of the field's column, and the
 * field as that header spells it (a `User_ID` column reports field `user_id`, column `User_ID`).
 * A field no single column holds (a whole customFields object, a missing field) has no column.
 */
export function csvErrorNames(
	field: string,
	columns: ColumnTarget[],
	record: RecordColumns,
): { field: string; column?: string } {
	const column = columns.find((c) => targetId(c) === field);
	if (column?.header === undefined) return { field };
	const header = column.header.trim().toLowerCase();
	const spelled = column.key === undefined ? [column.field, ...(record.aliases[column.field] ?? [])] : [];
	return { field: spelled.find((name) => name.toLowerCase() === header) ?? field, column: column.header };
}

function parseHeader(text: string): string[] {
	let rows: string[][];
	try {
		rows = parse(text, PARSE_OPTIONS);
	} catch (err) {
		throw new ApiError("VALIDATION_ERROR", `CSV header row is not valid CSV: ${csvReason(err)}`);
	}
	const names = rows[0];
	if (!names) throw new ApiError("VALIDATION_ERROR", "CSV file has no header row");
	return names;
}

const lossyUtf8 = new TextDecoder();

/**
 * The records of one CSV chunk, given as text or as the chunk's bytes (then a record that is not
 * valid UTF-8 fails alone). Records are found with the same quote-parity rule the splitter
 * used, so line numbers and the record count match the chunk's; csv-parse then reads the fields
 * of all of them in one call, or of each alone when one is malformed, so that one fails alone.
 */
export function* parseCsvChunk(
	chunk: string | Uint8Array,
	columns: ColumnTarget[],
	firstLine: number,
): Generator<ParsedLine> {
	const text = typeof chunk === "string" ? chunk : lossyUtf8.decode(chunk);
	const records = splitRecords(text, firstLine);
	const notUtf8 = typeof chunk === "string" ? undefined : recordsNotUtf8(chunk, text);
	const rows = parseAll(records.map((r) => r.raw));
	for (const [i, { line, raw }] of records.entries()) {
		const row = notUtf8?.has(i) ? "row is not valid UTF-8" : rows ? rows[i]! : parseOne(raw);
		if (typeof row === "string") yield { line, raw, error: row };
		else if (row.length !== columns.length) {
			yield { line, raw, error: `row has ${row.length} columns, header has ${columns.length}` };
		} else yield { line, raw, value: toRecord(row, columns) };
	}
}

function splitRecords(text: string, firstLine: number): { line: number; raw: string }[] {
	const scan = new RecordScanner("\n", '"');
	scan.line = firstLine;
	scan.begin(text);
	const records: { line: number; raw: string }[] = [];
	for (let start = 0; start < text.length; ) {
		const line = scan.line;
		const nl = scan.next(text, start);
		const end = nl === -1 ? text.length : nl;
		const raw = text.slice(start, text[end - 1] === "\r" ? end - 1 : end);
		if (!/^[ \t\r]*$/.test(raw)) records.push({ line, raw });
		scan.line++;
		start = end + 1;
	}
	return records;
}

/**
 * Which records (counted as splitRecords counts them, blank ones left out) are not valid UTF-8.
 * Only a chunk whose text shows U+FFFD is checked, record by record in its bytes: the records'
 * quotes and newlines are the same bytes in both, since a bad byte never swallows an ASCII one.
 */
function recordsNotUtf8(bytes: Uint8Array, text: string): Set<number> | undefined {
	if (!text.includes("\uFFFD") || isUtf8(bytes)) return undefined;
	const scan = new RecordScanner(10, 34);
	scan.begin(bytes);
	const bad = new Set<number>();
	let index = 0;
	for (let start = 0; start < bytes.length; ) {
		const nl = scan.next(bytes, start);
		const end = nl === -1 ? bytes.length : nl;
		if (!isBlank(bytes, start, end)) {
			if (!isUtf8(bytes.subarray(start, end))) bad.add(index);
			index++;
		}
		start = end + 1;
	}
	return bad;
}

function parseAll(raws: string[]): string[][] | null {
	try {
		const rows = parse(raws.join("\n"), PARSE_OPTIONS);
		return rows.length === raws.length ? rows : null;
	} catch {
		return null;
	}
}

function parseOne(raw: string): string[] | string {
	try {
		const rows = parse(raw, PARSE_OPTIONS);
		return rows.length === 1 ? rows[0]! : "row is not valid CSV";
	} catch (err) {
		return `row is not valid CSV: ${csvReason(err)}`;
	}
}

function csvReason(err: unknown): string {
	// csv-parse messages start with a short reason ("Invalid Closing Quote") before the details.
	return err instanceof Error ? (err.message.split(":")[0] ?? err.message) : "syntax error";
}

function toRecord(row: string[], columns: ColumnTarget[]): Record<string, unknown> {
	const record: Record<string, unknown> = {};
	for (const [i, cell] of row.entries()) {
		const { field, key } = columns[i]!;
		if (cell === "") continue;
		if (key === undefined) record[field] = cell;
		else {
			record[field] ??= {};
			(record[field] as Record<string, string>)[key] = cell;
		}
	}
	return record;
}
