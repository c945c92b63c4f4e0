import { createRoute, z } from "@hono/zod-openapi";
import { router } from "../context";
import { jsonContent } from "../schemas/common";

const Health = z.object({ status: z.literal("ok"), time: z.string() }).openapi("Health");

export const healthRoutes = router().openapi(
	createRoute({
		method: "get",
		path: "/",
		tags: ["Health"],
		summary: "Liveness, including a round trip to D1",
		responses: { 200: jsonContent(Health, "Serving") },
	}),
	async (c) => {
		await c.env.DB.prepare("SELECT 1").first();
		return c.json({ status: "ok" as const, time: new Date().toISOString() }, 200);
	},
);
