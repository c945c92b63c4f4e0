import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { USER_STATUSES } from "../schemas/records";

/*
 * The record shards (one binding each, reached through `records()` in client.ts): a tenant's
 * records, its welcome messages and its jobs' ledgers and error rows, all on the tenant's one shard so
 * that a chunk's records and its ledger row commit in one batch. The control tables are in control-schema.ts.
 */

const timestamps = {
	createdAt: text("created_at").notNull(),
	updatedAt: text("updated_at").notNull(),
};

/**
 * `srcJob`/`srcLine` name the input record that last wrote the row, so that the last occurrence
 * of an identity in one job wins whatever order its chunks are written in.
 */
const source = {
	srcJob: text("src_job").notNull(),
	srcLine: integer("src_line").notNull(),
};

export const users = sqliteTable(
	"users",
	{
		id: integer("id").primaryKey(),
		tenantId: text("tenant_id").notNull(),
		externalId: text("external_id"),
		email: text("email"),
		emailLower: text("email_lower"),
		firstName: text("first_name"),
		lastName: text("last_name"),
		companyId: text("company_id"),
		role: text("role"),
		clientId: text("client_id"),
		customFields: text("custom_fields", { mode: "json" }).$type<Record<string, unknown>>(),
		metadata: text("metadata", { mode: "json" }).$type<Record<string, string | number | boolean | null>>(),
		/** A full sync makes the users its file lacks inactive; an import that names a user makes it active again. */
		status: text("status", { enum: USER_STATUSES }).notNull().default("active"),
		...timestamps,
		...source,
	},
	(t) => [
		// No index on status: D1 bills every index entry a write touches, on every user created, while a
		// full sync, the one reader that needs it, walks the tenant's users once by the tenant prefix anyway.
		uniqueIndex("users_external_id").on(t.tenantId, t.externalId),
		uniqueIndex("users_email").on(t.tenantId, t.emailLower),
	],
);

export const companies = sqliteTable(
	"companies",
	{
		id: integer("id").primaryKey(),
		tenantId: text("tenant_id").notNull(),
		companyId: text("company_id").notNull(),
		name: text("name"),
		metadata: text("metadata", { mode: "json" }).$type<Record<string, string | number | boolean | null>>(),
		...timestamps,
		...source,
	},
	(t) => [uniqueIndex("companies_company_id").on(t.tenantId, t.companyId)],
);

export const CATALOG_KINDS = ["course", "learningPath", "bundle", "license"] as const;
export type CatalogKind = (typeof CATALOG_KINDS)[number];

/** Courses, learning paths, bundles and licenses: the targets of enrollments and assignments. */
export const catalogItems = sqliteTable(
	"catalog_items",
	{
		tenantId: text("tenant_id").notNull(),
		kind: text("kind", { enum: CATALOG_KINDS }).notNull(),
		id: text("id").notNull(),
		title: text("title").notNull(),
		...timestamps,
	},
	(t) => [primaryKey({ columns: [t.tenantId, t.kind, t.id] })],
);

/** Enrollments in courses, learning paths and bundles, and license assignments (kind `license`). */
export const enrollments = sqliteTable(
	"enrollments",
	{
		tenantId: text("tenant_id").notNull(),
		userId: integer("user_id").notNull(),
		kind: text("kind", { enum: CATALOG_KINDS }).notNull(),
		itemId: text("item_id").notNull(),
		source: text("source"),
		createdAt: text("created_at").notNull(),
		/** The bulkImport job that assigned it (its catalog lists), so an undo of that job removes it. */
		srcJob: text("src_job"),
	},
	(t) => [
		primaryKey({ columns: [t.tenantId, t.userId, t.kind, t.itemId] }),
		// Partial: only bulkImport's assignments carry a job, and only they pay for the index.
		index("enrollments_src_job").on(t.tenantId, t.srcJob).where(sql`src_job IS NOT NULL`),
	],
);

/**
 * Welcome messages, at most one per user ever: the unique index is what makes a second one impossible.
 * A message is pending until `deliveredAt` (or `failedAt`, once its attempts are used up); delivery
 * claims it first (`claimedUntil`, a lease in epoch ms), so no two loops send it at once.
 */
export const notifications = sqliteTable(
	"notifications",
	{
		id: integer("id").primaryKey(),
		tenantId: text("tenant_id").notNull(),
		userId: integer("user_id").notNull(),
		kind: text("kind", { enum: ["welcome"] }).notNull(),
		email: text("email"),
		externalId: text("external_id"),
		inviteMessage: text("invite_message"),
		createdAt: text("created_at").notNull(),
		deliveredAt: text("delivered_at"),
		claimedUntil: integer("claimed_until"),
		attempts: integer("attempts").notNull().default(0),
		failedAt: text("failed_at"),
	},
	(t) => [
		uniqueIndex("notifications_once").on(t.tenantId, t.userId, t.kind),
		index("notifications_tenant").on(t.tenantId, t.id),
		// Only pending rows: finding the next ones to send never walks the delivered ones.
		index("notifications_pending").on(t.tenantId, t.id).where(sql`${t.deliveredAt} IS NULL AND ${t.failedAt} IS NULL`),
	],
);

/** One welcome delivery loop per tenant at a time: the loop holds this lease (epoch ms) while it runs. */
export const notifyLeases = sqliteTable("notify_leases", {
	tenantId: text("tenant_id").primaryKey(),
	holder: text("holder").notNull(),
	until: integer("until").notNull(),
});

/**
 * The exactly-once ledger: a chunk's row is committed in the same D1 batch as the chunk's
 * records, so a redelivered chunk finds it and only reports the stored counts again. `results`
 * names the R2 object with its records' outcomes (each attempt writes its own; the committed row
 * says which one counts); `claims` lists the identities it found unchanged (see writes/merge.ts).
 * `before` names the R2 object with the rows its write touched as it found them (writes/before.ts:
 * undo's before-images, a preview's fingerprints), `beforeRows` how many entries it holds.
 */
export const jobChunks = sqliteTable(
	"job_chunks",
	{
		jobId: text("job_id").notNull(),
		chunk: integer("chunk").notNull(),
		created: integer("created").notNull(),
		updated: integer("updated").notNull(),
		unchanged: integer("unchanged").notNull().default(0),
		skipped: integer("skipped").notNull(),
		failed: integer("failed").notNull(),
		results: text("results"),
		claims: text("claims"),
		before: text("before"),
		beforeRows: integer("before_rows").notNull().default(0),
		/** A full sync's last step: the users it made inactive. */
		deactivated: integer("deactivated").notNull().default(0),
	},
	(t) => [primaryKey({ columns: [t.jobId, t.chunk] })],
);

/**
 * A full sync (src/jobs/sync.ts): every stored user its file names, by externalId or email (failed
 * records included), written in the same D1 batch as the chunk that names it.
 */
export const jobSeen = sqliteTable(
	"job_seen",
	{ jobId: text("job_id").notNull(), userId: integer("user_id").notNull() },
	(t) => [primaryKey({ columns: [t.jobId, t.userId] })],
);

/**
 * A full sync's decision, taken once after its last chunk: the active users, those the file lacks
 * (`candidates`) and how many `maxDeactivate` allows. `attempt` names the run that took it.
 */
export const jobSyncs = sqliteTable("job_syncs", {
	jobId: text("job_id").primaryKey(),
	attempt: text("attempt").notNull(),
	active: integer("active").notNull(),
	candidates: integer("candidates").notNull(),
	allowed: integer("allowed").notNull(),
});

export const DEACTIVATION_STATES = ["pending", "deactivated", "skipped"] as const;

/**
 * The users a full sync decided to deactivate, frozen with its decision: `pending` until a batch
 * makes the user inactive (`deactivated`) or finds it changed meanwhile (`skipped`). The
 * `deactivated` rows are the list an undo re-activates; `before*` are the user's `updated_at`,
 * `src_job` and `src_line` as the batch that deactivated it found them, which the undo puts back.
 */
export const jobDeactivations = sqliteTable(
	"job_deactivations",
	{
		jobId: text("job_id").notNull(),
		userId: integer("user_id").notNull(),
		state: text("state", { enum: DEACTIVATION_STATES }).notNull(),
		beforeUpdatedAt: text("before_updated_at"),
		beforeSrcJob: text("before_src_job"),
		beforeSrcLine: integer("before_src_line"),
	},
	(t) => [primaryKey({ columns: [t.jobId, t.userId] })],
);

/** The last error of a chunk that failed an attempt, so a dead-lettered chunk's job can say why. */
export const chunkFailures = sqliteTable(
	"chunk_failures",
	{
		jobId: text("job_id").notNull(),
		chunk: integer("chunk").notNull(),
		attempts: integer("attempts").notNull(),
		error: text("error").notNull(),
	},
	(t) => [primaryKey({ columns: [t.jobId, t.chunk] })],
);

/**
 * Failed records of a job: `ref` is the 1-based line (files) or 0-based index (JSON). `raw` keeps
 * at most 64 KiB of the record; `truncated` says it was cut.
 */
export const jobErrors = sqliteTable(
	"job_errors",
	{
		jobId: text("job_id").notNull(),
		ref: integer("ref").notNull(),
		code: text("code").notNull(),
		/** The field at fault as the client spelled it, and its CSV header cell (spec §2). */
		field: text("field"),
		column: text("column"),
		error: text("error").notNull(),
		raw: text("raw"),
		truncated: integer("truncated", { mode: "boolean" }).notNull().default(false),
	},
	(t) => [primaryKey({ columns: [t.jobId, t.ref] })],
);
