import { z } from "@hono/zod-openapi";
import { FileFormat, RecordType } from "./common";
import { ImportOptions } from "./records";

export const JOB_STATUSES = ["pending", "processing", "completed", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
/** A job in one of these has ended and never changes again. */
export const ENDED_STATUSES: readonly JobStatus[] = ["completed", "failed", "cancelled"];

/** What became of records: a chunk's, a request's or (with total and processed) a job's. */
export const Counts = z.object({
	created: z.number().int(),
	updated: z.number().int(),
	/** Records equal to what is stored: nothing written. */
	unchanged: z.number().int(),
	skipped: z.number().int(),
	failed: z.number().int(),
});
export type Counts = z.infer<typeof Counts>;
/** What a chunk reports to its job: a full sync's last step adds the users it deactivated. */
export type ReportedCounts = Counts & { deactivated?: number };

/**
 * What a job used of the resources Cloudflare bills by the operation: D1 rows as D1 reports them,
 * R2 class A (writes, lists) and class B (reads) operations, and queue operations (a message written,
 * read and deleted is three). Counted as the job runs; a chunk is counted once however often it is delivered.
 */
export const Usage = z
	.object({
		d1RowsRead: z.number().int(),
		d1RowsWritten: z.number().int(),
		r2ClassA: z.number().int(),
		r2ClassB: z.number().int(),
		queueOperations: z.number().int(),
	})
	.openapi("Usage");
export type Usage = z.infer<typeof Usage>;

export const noUsage = (): Usage => ({ d1RowsRead: 0, d1RowsWritten: 0, r2ClassA: 0, r2ClassB: 0, queueOperations: 0 });

/** The key that made a job (`keyId` "operator" for the operator). */
export const CreatedBy = z.object({ keyId: z.string(), keyName: z.string() });
export type CreatedBy = z.infer<typeof CreatedBy>;

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
			...Counts.shape,
			deactivated: z.number().int().openapi({
				description: "Users a full sync made inactive because its file lacks them (not part of processed)",
			}),
		}),
		progress: z.number(),
		recordsPerSecond: z.number(),
		usage: Usage,
		etaSeconds: z.number().nullable(),
		createdBy: CreatedBy,
		commitOf: z.string().optional().openapi({ description: "A commit: the preview job whose input it runs" }),
		undoOf: z.string().optional().openapi({ description: "An undo: the job whose writes it reverts" }),
		links: z.object({
			self: z.string(),
			errors: z.string(),
			results: z.string(),
			resultsDownload: z.string().openapi({ description: "Absolute; works without a key for an hour" }),
			errorsDownload: z.string().openapi({ description: "Absolute; works without a key for an hour" }),
			file: z.string().optional().openapi({ description: "Exports: the file, once the job has completed" }),
			fileDownload: z
				.string()
				.optional()
				.openapi({ description: "Exports: the file's link without a key, for an hour" }),
		}),
	})
	.openapi("Job");

export type Job = z.infer<typeof Job>;

/** A signed download link's parameters, as the job's `links` carry them; absent when a key is sent instead. */
export const SignedLinkQuery = z.object({
	tenant: z.string().optional(),
	expires: z.string().optional(),
	signature: z.string().optional(),
});

/** Where a job's records come from: files report 1-based lines, JSON batches 0-based indexes. */
export const JobOrigin = z.enum(["file", "json"]);
export type JobOrigin = z.infer<typeof JobOrigin>;

/**
 * Where a CSV column's cells go: a canonical field, or a key inside customFields/metadata; `header`
 * is the column's header cell, which errors name. Optional: contexts stored before it was kept lack it.
 */
export const ColumnTarget = z.object({ field: z.string(), key: z.string().optional(), header: z.string().optional() });
export type ColumnTarget = z.infer<typeof ColumnTarget>;

/** bulkImport: catalog items every imported user gets, and fields set on every user. */
export const Assignments = z.object({
	course: z.array(z.string()),
	learningPath: z.array(z.string()),
	bundle: z.array(z.string()),
	license: z.array(z.string()),
});
export type Assignments = z.infer<typeof Assignments>;
const Overrides = z.object({ role: z.string().optional(), clientId: z.string().optional() });

/**
 * Everything the tenant object needs to queue a job whose chunks are already in R2. It stays
 * small whatever the file: what grows with the client's input is in the job's context.
 */
export const JobSpec = z.object({
	id: z.string(),
	tenantId: z.string(),
	type: z.string(),
	description: z.string(),
	recordType: RecordType,
	format: FileFormat,
	origin: JobOrigin,
	options: ImportOptions,
	overrides: Overrides.optional(),
	/** What its chunk messages do: write a file's records (the default), or write a page of an export. */
	step: z.enum(["import", "export"]).optional(),
	total: z.number().int(),
	createdBy: CreatedBy.optional(),
	/** The origin the job was asked for at: its download links point there. */
	baseUrl: z.string().optional(),
	/** What taking the file in used. */
	usage: Usage.optional(),
	chunks: z.array(z.object({ firstLine: z.number().int(), records: z.number().int() })),
	/** A commit: the preview (dry-run job) whose chunks and context it reads instead of its own. */
	commitOf: z.string().optional(),
	/** An undo: the job whose chunks' before-images it restores, and when that job ended. */
	undoOf: z.object({ job: z.string(), endedAt: z.string() }).optional(),
});
export type JobSpec = z.infer<typeof JobSpec>;

/**
 * What every chunk of a CSV job needs besides its bytes, stored once next to the chunks: a header
 * of 1,000 long names, or bulkImport's lists of catalog ids, would not fit in a queue message.
 */
export const JobContext = z.object({ columns: z.array(ColumnTarget), assign: Assignments.optional() });
export type JobContext = z.infer<typeof JobContext>;

export const chunkKey = (jobId: string, chunk: number) => `jobs/${jobId}/chunks/${chunk}`;
export const contextKey = (jobId: string) => `jobs/${jobId}/context`;
