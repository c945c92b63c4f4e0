import { z } from "@hono/zod-openapi";
import type { ColumnTarget } from "../ingest/csv";
import type { ImportOptions, RecordType } from "./records";

export const JOB_STATUSES = ["pending", "processing", "completed", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
/** A job in one of these has ended and never changes again. */
export const ENDED_STATUSES: readonly JobStatus[] = ["completed", "failed", "cancelled"];

export const Job = z
	.object({
		id: z.string(),
		type: z.string().openapi({ example: "users.import" }),
		description: z.string(),
		status: z.enum(JOB_STATUSES),
		createdAt: z.string(),
		startedAt: z.string().nullable(),
		completedAt: z.string().nullable(),
		errorMessage: z.string().nullable(),
		repeatable: z.boolean(),
		dryRun: z.boolean(),
		position: z.number().int().optional(),
		counts: z.object({
			total: z.number().int(),
			processed: z.number().int(),
			created: z.number().int(),
			updated: z.number().int(),
			skipped: z.number().int(),
			failed: z.number().int(),
		}),
		progress: z.number(),
		recordsPerSecond: z.number(),
		etaSeconds: z.number().nullable(),
		links: z.object({ self: z.string(), errors: z.string() }),
	})
	.openapi("Job");

export type Job = z.infer<typeof Job>;

/** Where a job's records come from: files report 1-based lines, JSON batches 0-based indexes. */
export type JobOrigin = "file" | "json";

/** bulkImport: catalog items every imported user gets, and fields set on every user. */
export type Assignments = { course: string[]; learningPath: string[]; bundle: string[]; license: string[] };
export type Overrides = { role?: string; clientId?: string };

/** Everything the tenant object needs to queue a job whose chunks are already in R2. */
export type JobSpec = {
	id: string;
	tenantId: string;
	type: string;
	description: string;
	recordType: RecordType;
	format: "ndjson" | "csv";
	origin: JobOrigin;
	options: ImportOptions;
	columns: ColumnTarget[] | null;
	assign?: Assignments;
	overrides?: Overrides;
	total: number;
	chunks: { firstLine: number; records: number }[];
};

/** One queue message per chunk; it carries what the consumer needs without asking anyone. */
export type ChunkMessage = Pick<
	JobSpec,
	"tenantId" | "recordType" | "format" | "origin" | "options" | "columns" | "assign" | "overrides"
> & {
	jobId: string;
	chunk: number;
	firstLine: number;
};

export const chunkKey = (jobId: string, chunk: number) => `jobs/${jobId}/chunks/${chunk}`;
