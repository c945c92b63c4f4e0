import { z } from "@hono/zod-openapi";
import { ImportOptions, RecordErrorCode } from "./records";

export const MAX_BULK_RECORDS = 10_000;

/**
 * The body of a JSON bulk route: the records under the record type's body name (`{"users": […]}`).
 * Records are validated one by one (a bad record fails alone), so the request schema only
 * requires an array here; the record schema is shown for the documentation.
 */
export function bulkBody(kind: { body: string; schema: z.ZodType }) {
	const records = z
		.array(z.unknown())
		.min(1)
		.openapi({ type: "array", items: kind.schema, maxItems: MAX_BULK_RECORDS } as object);
	return z.strictObject({ [kind.body]: records, options: ImportOptions.optional() });
}

export const BulkResult = z
	.object({
		successful: z.number().int(),
		failed: z.number().int(),
		created: z.number().int(),
		updated: z.number().int(),
		skipped: z.number().int(),
		errors: z.array(
			z.object({
				index: z.number().int(),
				externalId: z.string().optional(),
				email: z.string().optional(),
				code: RecordErrorCode,
				error: z.string(),
			}),
		),
	})
	.openapi("BulkResult");
