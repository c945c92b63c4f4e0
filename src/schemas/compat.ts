import { z } from "@hono/zod-openapi";
import { IfBusy } from "./common";
import { JOB_STATUSES } from "./jobs";

/**
 * Thought Industries' answer to bulkImport: the job, wrapped and cut to the fields its clients read,
 * in the seed's terms: `complete` for completed, `errorMessage` always a string, `repeatable` once ended.
 */
export const SeedBulkImport = z
	.object({
		data: z.object({
			APIBulkImport: z.object({
				id: z.string(),
				type: z.string(),
				description: z.string(),
				errorMessage: z.string().openapi({ description: "Why the job failed; empty otherwise." }),
				createdAt: z.string(),
				repeatable: z.boolean().openapi({ description: "The job has ended and can be run again." }),
				status: z.enum(["pending", "processing", "complete", "failed", "cancelled"]),
			}),
		}),
	})
	.openapi("ThoughtIndustriesBulkImport");

/** The AWS-style Bulk Operations API's 202: where to poll the job. */
export const BulkOpsJobCreated = z
	.object({
		jobId: z.string(),
		status: z.enum(JOB_STATUSES),
		totalRecords: z.number().int(),
		createdAt: z.string(),
		statusUrl: z.string(),
	})
	.openapi("BulkOperationsJobCreated");

/** The AWS-style Bulk Operations API's job status; a cancelled job reads `failed` there. */
export const BulkOpsJob = z
	.object({
		jobId: z.string(),
		status: z.enum(["pending", "processing", "completed", "failed"]),
		totalRecords: z.number().int(),
		processedRecords: z.number().int(),
		successCount: z.number().int(),
		failureCount: z.number().int(),
		createdAt: z.string(),
		updatedAt: z.string(),
		completedAt: z.string().nullable(),
		downloadUrl: z.string().optional().openapi({ description: "Every record's outcome; signed, valid 1 hour." }),
		downloadUrlExpiresAt: z.string().optional(),
	})
	.openapi("BulkOperationsJob");

export const BulkOpsJobParam = z.object({ jobId: z.string() });

/** Userpilot runs one job at a time and answers 409 to the next (spec §11). */
export const UserpilotQuery = z.object({ ifBusy: IfBusy.default("reject") });

/** Userpilot's limits: a 50 MB file, 10,000 records. */
export const USERPILOT_MAX_BYTES = 50 * 1024 * 1024;
export const USERPILOT_MAX_RECORDS = 10_000;
