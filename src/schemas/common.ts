import { z } from "@hono/zod-openapi";
import { ApiError } from "../errors";

/** The record types the service imports; each has its entry in `KINDS` (src/db/writes/kinds.ts). */
export const RecordType = z.enum(["users", "companies", "enrollments"]);
export type RecordType = z.infer<typeof RecordType>;

export const FileFormat = z.enum(["ndjson", "csv"]);
export type FileFormat = z.infer<typeof FileFormat>;

/** What a job submitted while the tenant is busy does: wait its turn, or be refused. */
export const IfBusy = z.enum(["queue", "reject"]);
export type IfBusy = z.infer<typeof IfBusy>;

/** The `{id}` of a job, upload or API key in a path. */
export const IdParam = z.object({ id: z.string() });

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
	return { description, content: { "application/json": { schema } } };
}

export function jsonRequest<T extends z.ZodType>(schema: T) {
	return { required: true, content: { "application/json": { schema } } };
}

export const PageQuery = z.object({
	cursor: z.string().optional().openapi({ description: "nextCursor of the previous page" }),
	limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const page = <T extends z.ZodType>(item: T) =>
	z.object({ data: z.array(item), nextCursor: z.string().nullable() });

/** A whole collection, small enough never to need a cursor. */
export const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });

/** Cursors are opaque to clients: the last row's sort key, base64url-encoded. */
export function encodeCursor(key: string | number): string {
	return btoa(JSON.stringify(key)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function decodeCursor<T extends string | number>(
	cursor: string | undefined,
	kind: "string" | "number",
): T | undefined {
	if (cursor === undefined) return undefined;
	try {
		const value: unknown = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
		if (typeof value === kind) return value as T;
	} catch {}
	throw new ApiError("VALIDATION_ERROR", "Invalid cursor", [
		{ path: "cursor", message: "not a cursor this API returned" },
	]);
}

/** Takes one row more than asked to know whether there is a next page. */
export function toPage<R, T>(rows: R[], limit: number, key: (row: R) => string | number, view: (row: R) => T) {
	const data = rows.slice(0, limit);
	const next = rows.length > limit ? encodeCursor(key(data[data.length - 1]!)) : null;
	return { data: data.map(view), nextCursor: next };
}
