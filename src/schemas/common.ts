import { z } from "@hono/zod-openapi";

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

export const notFound = { 404: errorResponse("Unknown id, or another tenant's") } as const;
export const conflict = { 409: errorResponse("Conflict") } as const;
export const tooLarge = { 413: errorResponse("Over a size or count limit") } as const;

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
	return { description, content: { "application/json": { schema } } };
}

export function jsonRequest<T extends z.ZodType>(schema: T) {
	return { required: true, content: { "application/json": { schema } } };
}
