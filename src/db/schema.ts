import { sql } from "drizzle-orm";
import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";

export type TenantLimits = { burst?: number; requestsPerMinute?: number; recordsPerMinute?: number };

export const tenants = sqliteTable("tenants", {
	id: text("id").primaryKey(),
	name: text("name").notNull(),
	limits: text("limits", { mode: "json" }).$type<TenantLimits>().notNull().default(sql`'{}'`),
	createdAt: text("created_at").notNull(),
});

export const apiKeys = sqliteTable(
	"api_keys",
	{
		id: text("id").primaryKey(),
		tenantId: text("tenant_id")
			.notNull()
			.references(() => tenants.id),
		name: text("name").notNull(),
		role: text("role", { enum: ["viewer", "admin", "super_admin"] }).notNull(),
		secretHash: text("secret_hash").notNull(),
		createdAt: text("created_at").notNull(),
		revokedAt: text("revoked_at"),
	},
	(t) => [index("api_keys_tenant").on(t.tenantId, t.createdAt)],
);
