import { z } from "@hono/zod-openapi";
import { ApiError } from "../errors";

export const ErrorEnvelope = z
	.object({
		error: z.object({
			code: z.string().openapi({ example: "VALIDATION_ERROR" }),
			message: z.string(),
			requestId: z.string(),
			details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
		}),
	})
	.openapi("Error");

const errorResponse = (description: string) => ({
	description,
	content: { "application/json": { schema: ErrorEnvelope } },
});

/** The error answers every authenticated route can give; routes add their own. */
export const authErrors = {
	400: errorResponse("Validation failed"),
	401: errorResponse("Missing, unknown or revoked key"),
	403: errorResponse("Role too low"),
	415: errorResponse("Content type not accepted"),
	429: errorResponse("Rate limited; see Retry-After"),
} as const;

export const operatorErrors = {
	503: errorResponse("Operator routes are off: ADMIN_API_KEY is unset or shorter than 32 characters"),
} as const;
export const notFound = { 404: errorResponse("Unknown id, or another tenant's") } as const;
export const conflict = { 409: errorResponse("Conflict") } as const;
export const tooLarge = { 413: errorResponse("Over a size or count limit") } as const;

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
