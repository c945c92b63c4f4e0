import { z } from "@hono/zod-openapi";
import { ERROR_STATUS, type ErrorCode } from "../errors";

const ErrorEnvelope = z
	.object({
		error: z.object({
			code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]).openapi({ example: "VALIDATION_ERROR" }),
			message: z.string().openapi({ example: "Invalid email format" }),
			requestId: z.string().openapi({ description: "The X-Request-Id of the answer" }),
			details: z
				.array(z.object({ path: z.string(), message: z.string() }))
				.optional()
				.openapi({ description: "What failed where, for VALIDATION_ERROR" }),
		}),
	})
	.openapi("Error");

/** The answer of one error status, naming the codes (src/errors.ts) that come with it. */
const described = (status: number, description: string) => {
	const codes = Object.entries(ERROR_STATUS).flatMap(([code, s]) => (s === status ? [`\`${code}\``] : []));
	return {
		description: `${description} (${codes.join(" or ")})`,
		content: { "application/json": { schema: ErrorEnvelope } },
	};
};

/** Every error status an operation can document, each answered with the one envelope. */
const ERROR_RESPONSES = {
	400: described(400, "Validation failed"),
	401: described(401, "Missing, unknown or revoked key"),
	403: described(403, "Role too low"),
	404: described(404, "Unknown id, or another tenant's"),
	409: described(409, "Conflict with the current state; the code says which"),
	413: described(413, "Over a size or count limit"),
	415: described(415, "Content type or encoding not accepted"),
	429: described(429, "Rate limited; see Retry-After"),
	500: described(500, "Unexpected error; quote the request id when reporting it"),
	503: described(
		503,
		"Operator routes are off (ADMIN_API_KEY is unset or shorter than 32 characters), or a move is switching the tenant's shard and its writes wait; see Retry-After",
	),
} as const;

type ErrorStatus = keyof typeof ERROR_RESPONSES;

/** The documented error answers of an operation, taken from the one table above. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Pick<typeof ERROR_RESPONSES, S> {
	const picked: Partial<Record<ErrorStatus, (typeof ERROR_RESPONSES)[ErrorStatus]>> = {};
	for (const status of statuses) picked[status] = ERROR_RESPONSES[status];
	return picked as Pick<typeof ERROR_RESPONSES, S>;
}

/** What every route behind a tenant key can answer; an operation spreads these and adds its own. */
export const openApiErrorResponses = errorResponses(400, 401, 403, 429, 500, 503);

/** What a route that reads a JSON body adds: a body of another type (415) or over the size limit (413). */
export const jsonBodyErrors = errorResponses(413, 415);
