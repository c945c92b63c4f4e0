import { z } from "@hono/zod-openapi";

const count = z.number().int().nonnegative();

export const ShardReport = z
	.object({
		shard: count.openapi({ description: "The shard's number, as in `POST /v1/tenants/{id}/move`" }),
		tenants: count.openapi({ description: "Tenants placed on it" }),
		rows: z
			.object({ users: count, companies: count, enrollments: count, catalogItems: count, notifications: count })
			.openapi({ description: "Record rows stored on it, all tenants together" }),
		bytes: count.openapi({ description: "The database's size as D1 reports it (tables and indexes)" }),
	})
	.openapi("ShardReport");
export type ShardReport = z.infer<typeof ShardReport>;

export const ShardList = z.object({ data: z.array(ShardReport) }).openapi("ShardList");
