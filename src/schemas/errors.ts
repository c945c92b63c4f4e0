import { z } from "@hono/zod-openapi";

const ErrorEnvelope = z
	.object({
		error: z.object({
			code: z.string().openapi({ example: "VALIDATION_ERROR" }),
			message: z.string(),
			requestId: z.string(),
			details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
		}),
	})
	.openapi("Error");

const described = (description: string) => ({
	description,
	content: { "application/json": { schema: ErrorEnvelope } },
});

/** Every error status an operation can document, each answered with the one envelope. */
const ERROR_RESPONSES = {
	400: described("Validation failed"),
	401: described("Missing, unknown or revoked key"),
	403: described("Role too low"),
	404: described("Unknown id, or another tenant's"),
	409: described("Conflict with the current state; the code says which"),
	413: described("Over a size or count limit"),
	415: described("Content type not accepted"),
	429: described("Rate limited; see Retry-After"),
	500: described("Unexpected error; quote the request id when reporting it"),
	503: described("Operator routes are off: ADMIN_API_KEY is unset or shorter than 32 characters"),
} as const;

type ErrorStatus = keyof typeof ERROR_RESPONSES;

/** The documented error answers of an operation, taken from the one table above. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Pick<typeof ERROR_RESPONSES, S> {
	const picked: Partial<Record<ErrorStatus, (typeof ERROR_RESPONSES)[ErrorStatus]>> = {};
	for (const status of statuses) picked[status] = ERROR_RESPONSES[status];
	return picked as Pick<typeof ERROR_RESPONSES, S>;
}

/** What every route behind a tenant key can answer; an operation spreads these and adds its own. */
export const openApiErrorResponses = errorResponses(400, 401, 403, 415, 429, 500);
