/**
 * What a move copies: every record table with a tenant's rows, in an order where a row's references are
 * copied before it (users before their enrollments). `scope` is how a table names its tenant: a
 * `tenant_id` column, or a job of the tenant (`job_id`). `shifted` are the integer row ids and the
 * columns that refer to them: on the target shard each gets the move's shift added (see pass.ts).
 * notify_leases is not here: a lease is a lock held for seconds, and the target's loop takes its own.
 */
export type MovedTable = {
	name: string;
	/** The primary key, without tenant_id: a copy walks a table in this order. */
	key: readonly string[];
	scope: "tenant" | "job";
	shifted: readonly string[];
};

export const MOVED_TABLES: readonly MovedTable[] = [
	{ name: "companies", key: ["id"], scope: "tenant", shifted: ["id"] },
	{ name: "users", key: ["id"], scope: "tenant", shifted: ["id"] },
	{ name: "catalog_items", key: ["kind", "id"], scope: "tenant", shifted: [] },
	{ name: "enrollments", key: ["user_id", "kind", "item_id"], scope: "tenant", shifted: ["user_id"] },
	{ name: "notifications", key: ["id"], scope: "tenant", shifted: ["id", "user_id"] },
	{ name: "job_chunks", key: ["job_id", "chunk"], scope: "job", shifted: [] },
	{ name: "job_seen", key: ["job_id", "user_id"], scope: "job", shifted: ["user_id"] },
	{ name: "job_syncs", key: ["job_id"], scope: "job", shifted: [] },
	{ name: "job_deactivations", key: ["job_id", "user_id"], scope: "job", shifted: ["user_id"] },
	{ name: "chunk_failures", key: ["job_id", "chunk"], scope: "job", shifted: [] },
	{ name: "job_errors", key: ["job_id", "ref"], scope: "job", shifted: [] },
];

/** The tables whose integer `id` is allocated by the shard: a moved tenant's ids are shifted into a band of their own. */
export const ID_TABLES = ["users", "companies", "notifications"] as const;
