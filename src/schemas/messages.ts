import { z } from "@hono/zod-openapi";
import { Job, JobSpec } from "./jobs";

/**
 * One message per chunk on the chunk queue, well under the 128 KB message limit whatever the job: a
 * CSV job's column map and assignments are read from its context in R2.
 */
export const ChunkMessage = JobSpec.pick({
	tenantId: true,
	recordType: true,
	format: true,
	origin: true,
	options: true,
	overrides: true,
	commitOf: true,
	undoOf: true,
}).extend({
	jobId: z.string(),
	chunk: z.number().int(),
	firstLine: z.number().int(),
	/**
	 * What the message asks for: a chunk of an import (absent or "import"), a page of an export
	 * (src/jobs/export.ts), or a full sync's last step, its deactivation (src/jobs/sync.ts).
	 */
	step: z.enum(["import", "export", "deactivate"]).optional(),
});
export type ChunkMessage = z.infer<typeof ChunkMessage>;

/** A step of a tenant's move between record shards (src/jobs/move.ts), on the chunk queue. */
export const MoveMessage = z.object({ kind: z.literal("move"), moveId: z.string() });
export type MoveMessage = z.infer<typeof MoveMessage>;

/** The notify queue: wake the welcome delivery of a tenant, or tell its webhook that a job ended. */
export const NotifyMessage = z.discriminatedUnion("kind", [
	z.object({ kind: z.literal("welcome"), tenantId: z.string() }),
	z.object({ kind: z.literal("job"), tenantId: z.string(), job: Job }),
]);
export type NotifyMessage = z.infer<typeof NotifyMessage>;
