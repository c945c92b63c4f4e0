import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Role } from "../auth/keys";
import type { FileFormat, RecordType } from "../schemas/common";
import type { TenantLimits } from "../schemas/tenants";

/*
 * The control database (binding `DB`): tenants, their keys and sessions, where each tenant's records
 * live, and what a request needs before it knows the tenant. Records are in schema.ts, on the shards.
 */

export const tenants = sqliteTable("tenants", {
	id: text("id").primaryKey(),
	name: text("name").notNull(),
	limits: text("limits", { mode: "json" }).$type<TenantLimits>().notNull().default(sql`'{}'`),
	createdAt: text("created_at").notNull(),
	/** The record shard (numbered as in client.ts) holding the tenant's records: chosen at creation, changed by a move. */
	shard: integer("shard").notNull().default(0),
	/** While a move switches the tenant's shard (epoch ms): its write requests get 503 with Retry-After until then. */
	writesPausedUntil: integer("writes_paused_until"),
});

export const MOVE_PHASES = ["copy", "catchup", "pausing", "cleanup", "completed", "failed"] as const;
export type MovePhase = (typeof MOVE_PHASES)[number];

/**
 * Moves of a tenant between record shards (src/jobs/move.ts has the phases). The row is where a move
 * resumes after a crash: its phase, the table and key its copy reached, and `shift`, the constant added
 * to the tenant's integer row ids on the target shard (chosen below every id there; see the README).
 * `switchedAt` is when placement changed: a job that ended before it cannot be undone.
 */
export const tenantMoves = sqliteTable(
	"tenant_moves",
	{
		id: text("id").primaryKey(),
		tenantId: text("tenant_id").notNull(),
		fromShard: integer("from_shard").notNull(),
		toShard: integer("to_shard").notNull(),
		phase: text("phase", { enum: MOVE_PHASES }).notNull(),
		shift: integer("shift").notNull(),
		/** The copy pass in progress: the table's index and the last key it wrote (JSON), null at a pass's start. */
		cursor: text("cursor", { mode: "json" }).$type<{ table: number; after: unknown[] | null }>(),
		/** Rows written to the target (or deleted on the old shard, in cleanup) by the current pass. */
		passChanges: integer("pass_changes").notNull().default(0),
		rowsCopied: integer("rows_copied").notNull().default(0),
		rowsDeleted: integer("rows_deleted").notNull().default(0),
		error: text("error"),
		createdAt: text("created_at").notNull(),
		switchedAt: text("switched_at"),
		completedAt: text("completed_at"),
		/** When the step running the move last renewed its hold on it (epoch ms), 0 when no step runs it: one step at a time. */
		heartbeat: integer("heartbeat").notNull(),
	},
	(t) => [index("tenant_moves_tenant").on(t.tenantId, t.createdAt)],
);

export const apiKeys = sqliteTable(
	"api_keys",
	{
		id: text("id").primaryKey(),
		tenantId: text("tenant_id")
			.notNull()
			.references(() => tenants.id),
		name: text("name").notNull(),
		role: text("role").$type<Role>().notNull(),
		secretHash: text("secret_hash").notNull(),
		createdAt: text("created_at").notNull(),
		revokedAt: text("revoked_at"),
	},
	(t) => [index("api_keys_tenant").on(t.tenantId, t.createdAt)],
);

/**
 * Dashboard sessions (`POST /app/session`): the cookie holds a random token and only its SHA-256 is
 * stored. A session acts as its key, so revoking the key ends it on the next request.
 */
export const sessions = sqliteTable(
	"sessions",
	{
		tokenHash: text("token_hash").primaryKey(),
		keyId: text("key_id")
			.notNull()
			.references(() => apiKeys.id),
		createdAt: text("created_at").notNull(),
		expiresAt: text("expires_at").notNull(),
	},
	(t) => [index("sessions_expiry").on(t.expiresAt)],
);

export const idempotencyKeys = sqliteTable(
	"idempotency_keys",
	{
		tenantId: text("tenant_id").notNull(),
		key: text("key").notNull(),
		route: text("route").notNull(),
		bodyHash: text("body_hash").notNull(),
		status: integer("status"),
		headers: text("headers", { mode: "json" }).$type<Record<string, string>>(),
		body: text("body"),
		createdAt: integer("created_at").notNull(),
		/** While the first request runs: who holds the reservation and until when (epoch ms), renewed as it runs. */
		holder: text("holder"),
		leaseUntil: integer("lease_until"),
	},
	// One request per key: `route` (method, path and query) and `bodyHash` are what a reuse is compared with.
	(t) => [primaryKey({ columns: [t.tenantId, t.key] }), index("idempotency_keys_age").on(t.createdAt)],
);

/** Staged uploads (§7): an R2 multipart upload assembled from parts sent in any order. */
export const uploads = sqliteTable(
	"uploads",
	{
		id: text("id").primaryKey(),
		tenantId: text("tenant_id").notNull(),
		type: text("type").$type<RecordType>().notNull(),
		format: text("format").$type<FileFormat>().notNull(),
		options: text("options", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
		r2Key: text("r2_key").notNull(),
		r2UploadId: text("r2_upload_id").notNull(),
		status: text("status", { enum: ["open", "completed", "aborted"] }).notNull(),
		jobId: text("job_id"),
		createdAt: text("created_at").notNull(),
		expiresAt: text("expires_at").notNull(),
	},
	(t) => [index("uploads_expiry").on(t.status, t.expiresAt)],
);

export const uploadParts = sqliteTable(
	"upload_parts",
	{
		uploadId: text("upload_id").notNull(),
		partNumber: integer("part_number").notNull(),
		etag: text("etag").notNull(),
		size: integer("size").notNull(),
	},
	(t) => [primaryKey({ columns: [t.uploadId, t.partNumber] })],
);

/** A tenant's job-terminal webhook (§10). */
export const webhooks = sqliteTable("webhooks", {
	tenantId: text("tenant_id").primaryKey(),
	url: text("url").notNull(),
	secret: text("secret").notNull(),
	updatedAt: text("updated_at").notNull(),
});

/** Saved CSV column mappings (§15), used by name with `?mapping=`: a header cell -> field map per record type. */
export const mappingProfiles = sqliteTable(
	"mapping_profiles",
	{
		tenantId: text("tenant_id").notNull(),
		name: text("name").notNull(),
		type: text("type").$type<RecordType>().notNull(),
		columns: text("columns", { mode: "json" }).$type<Record<string, string>>().notNull(),
		createdAt: text("created_at").notNull(),
		updatedAt: text("updated_at").notNull(),
	},
	(t) => [primaryKey({ columns: [t.tenantId, t.name] })],
);
