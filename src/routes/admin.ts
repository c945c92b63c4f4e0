import { createRoute } from "@hono/zod-openapi";
import { requireOperator } from "../auth/operator";
import { router } from "../context";
import { jsonContent } from "../schemas/common";
import { errorResponses } from "../schemas/errors";
import { ShardList } from "../schemas/shards";
import { shardReports } from "../services/shards";

const listShardsRoute = createRoute({
	operationId: "listShards",
	method: "get",
	path: "/shards",
	tags: ["Tenants"],
	summary: "Every record shard's tenants, rows and bytes (operator)",
	security: [{ operator: [] }],
	middleware: [requireOperator] as const,
	responses: {
		200: jsonContent(ShardList, "One entry per shard, in number order"),
		...errorResponses(401, 429, 500, 503),
	},
});

export const adminRoutes = router().openapi(listShardsRoute, async (c) =>
	c.json({ data: await shardReports(c.env) }, 200),
);
