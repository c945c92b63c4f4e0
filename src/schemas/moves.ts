import { z } from "@hono/zod-openapi";
import { MOVE_PHASES } from "../db/control-schema";

export const MoveRequest = z
	.strictObject({
		shard: z
			.number()
			.int()
			.nonnegative()
			.openapi({ description: "The record shard to move the tenant to", example: 1 }),
	})
	.openapi("MoveRequest");

/** A move as a job: its status the way jobs say it, with the move's own phase and figures. */
export const TenantMove = z
	.object({
		id: z.string(),
		type: z.literal("tenant.move"),
		tenantId: z.string(),
		status: z.enum(["processing", "completed", "failed"]),
		phase: z.enum(MOVE_PHASES).openapi({
			description:
				"copy, catchup (rows written meanwhile), pausing (writes answer 503 until the switch), cleanup (the old shard's rows are deleted after the switch), then completed; failed rolled back",
		}),
		fromShard: z.number().int(),
		toShard: z.number().int(),
		rowsCopied: z.number().int().openapi({ description: "Rows written to the new shard, catch-up included" }),
		rowsDeleted: z.number().int().openapi({ description: "Rows deleted from the old shard after the switch" }),
		errorMessage: z.string().nullable(),
		createdAt: z.string(),
		switchedAt: z
			.string()
			.nullable()
			.openapi({ description: "When the tenant's records started being read and written on the new shard" }),
		completedAt: z.string().nullable(),
		links: z.object({ self: z.string() }),
	})
	.openapi("TenantMove");
export type TenantMove = z.infer<typeof TenantMove>;
