import { z } from "@hono/zod-openapi";
import { Job } from "./jobs";

/** Thought Industries' answer to bulkImport: the job, wrapped and cut to the fields its clients read. */
export const SeedBulkImport = z.object({
	data: z.object({
		APIBulkImport: Job.pick({
			id: true,
			type: true,
			description: true,
			errorMessage: true,
			createdAt: true,
			repeatable: true,
			status: true,
		}),
	}),
});
