import { z } from "@hono/zod-openapi";
import { RecordErrorCode } from "./records";

/** One line of a job's error report (`GET /v1/jobs/{id}/errors`). */
export const ErrorReportRow = z
	.object({
		line: z.number().int().optional().openapi({ description: "1-based physical line of the file (files)" }),
		index: z.number().int().optional().openapi({ description: "0-based index in the request (JSON batches)" }),
		code: RecordErrorCode,
		field: z.string().optional().openapi({ description: "The field at fault, as the record spelled it" }),
		column: z.string().optional().openapi({ description: "The CSV header cell of that field" }),
		error: z.string().openapi({ example: "Invalid email format" }),
		record: z.unknown().openapi({ description: "The record as received: JSON for JSON records, else its text" }),
		truncated: z.literal(true).optional().openapi({ description: "The record was cut to its first 64 KiB" }),
	})
	.openapi("ErrorReportRow", {
		example: { line: 3, code: "VALIDATION_ERROR", error: "Invalid email format", record: '{"email":"x"}' },
	});

/** One line of a job's results (`GET /v1/jobs/{id}/results`): every record's outcome, in input order. */
export const ResultRow = z
	.object({
		line: z.number().int().optional().openapi({ description: "1-based physical line of the file (files)" }),
		index: z.number().int().optional().openapi({ description: "0-based index in the request (JSON batches)" }),
		externalId: z.string().optional(),
		email: z.string().optional(),
		outcome: z.enum(["created", "updated", "unchanged", "skipped", "failed", "deactivated"]).openapi({
			description: "deactivated: a user a full sync made inactive (after the file's lines, with no line)",
		}),
		code: RecordErrorCode.optional(),
		field: z.string().optional().openapi({ description: "The field at fault, as the record spelled it" }),
		column: z.string().optional().openapi({ description: "The CSV header cell of that field" }),
		error: z.string().optional(),
		changes: z
			.record(z.string(), z.tuple([z.unknown(), z.unknown()]))
			.optional()
			.openapi({
				description:
					"A preview's update: each field it would change as `[before, after]`; a key of customFields or metadata as `customFields.key` (null: absent). An undo's restored row: `[now, restored]`. CSV results carry it as JSON in their `changes` column.",
				example: { firstName: ["Ann", "Anna"], "customFields.team": [null, "Blue"] },
			}),
		action: z
			.enum(["restored", "removed"])
			.optional()
			.openapi({ description: "An undo job's record: its row restored to its before-image, or removed" }),
	})
	.openapi("ResultRow", { example: { line: 2, externalId: "emp_001", outcome: "created" } });
