import { z } from "@hono/zod-openapi";
import { IfBusy } from "./common";
import { CompanyRecord, EnrollmentRecord, ImportOptions, UserRecord } from "./records";

export const MAX_BULK_RECORDS = 10_000;

/**
 * Records are validated one by one (a bad record fails alone), so the request schema only
 * requires an array here; the record schemas are shown for the documentation.
 */
const records = (schema: z.ZodType) =>
	z
		.array(z.unknown())
		.min(1)
		.openapi({ type: "array", items: schema, maxItems: MAX_BULK_RECORDS } as object);

export const BulkUsersBody = z.strictObject({ users: records(UserRecord), options: ImportOptions.optional() });
export const BulkCompaniesBody = z.strictObject({
	companies: records(CompanyRecord),
	options: ImportOptions.optional(),
});
export const BulkEnrollmentsBody = z.strictObject({
	enrollments: records(EnrollmentRecord),
	options: ImportOptions.optional(),
});

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
				code: z.enum(["VALIDATION_ERROR", "CONFLICT", "NOT_FOUND"]),
				error: z.string(),
			}),
		),
	})
	.openapi("BulkResult");

export const BulkQuery = z.object({
	mode: z.enum(["sync", "async"]).optional().openapi({ description: "async: a job whatever the batch's size" }),
	ifBusy: IfBusy.default("queue"),
});
