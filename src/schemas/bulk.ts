import { z } from "@hono/zod-openapi";
import { IfBusy, type RecordType } from "./common";
import { CreateOnlyImportOptions, ImportOptions, RecordErrorCode } from "./records";

export const MAX_BULK_RECORDS = 10_000;

/**
 * The body of a JSON bulk route: the records under the record type's body name (`{"users": […]}`).
 * Records are validated one by one (a bad record fails alone), so the request schema only
 * requires an array here; the documentation refers to the record's schema, registered by the app.
 */
function bulkBody<K extends string>(
	body: K,
	record: "UserRecord" | "CompanyRecord" | "EnrollmentRecord",
	options: typeof ImportOptions = ImportOptions,
) {
	const records = z
		.array(z.unknown())
		.min(1)
		.openapi({
			type: "array",
			items: { $ref: `#/components/schemas/${record}` },
			minItems: 1,
			maxItems: MAX_BULK_RECORDS,
			description: `At most ${MAX_BULK_RECORDS.toLocaleString("en")} records; each is validated alone.`,
		});
	return z.strictObject({ [body]: records, options: options.optional() } as Record<K, typeof records> & {
		options: z.ZodOptional<typeof ImportOptions>;
	});
}

export const BulkUsersBody = bulkBody("users", "UserRecord");
export const BulkCompaniesBody = bulkBody("companies", "CompanyRecord");
export const BulkEnrollmentsBody = bulkBody("enrollments", "EnrollmentRecord");
export const CreateOnlyBulkUsersBody = bulkBody("users", "UserRecord", CreateOnlyImportOptions);

/** Each record type's bulk body, which the streaming reader (src/ingest/json-body.ts) checks a body's shape by. */
export const BULK_BODIES = {
	users: BulkUsersBody,
	companies: BulkCompaniesBody,
	enrollments: BulkEnrollmentsBody,
} satisfies Record<RecordType, z.ZodType>;

export const BulkResult = z
	.object({
		successful: z.number().int(),
		failed: z.number().int(),
		created: z.number().int(),
		updated: z.number().int(),
		unchanged: z.number().int(),
		skipped: z.number().int(),
		errors: z.array(
			z.object({
				index: z.number().int(),
				externalId: z.string().optional(),
				email: z.string().optional(),
				code: RecordErrorCode,
				field: z.string().optional().openapi({ description: "The field at fault, as the request spelled it" }),
				error: z.string(),
			}),
		),
	})
	.openapi("BulkResult");

export const BulkQuery = z.object({
	mode: z.enum(["sync", "async"]).optional().openapi({ description: "async: a job whatever the batch's size" }),
	ifBusy: IfBusy.default("queue"),
});
