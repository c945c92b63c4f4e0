import { createRoute } from "@hono/zod-openapi";
import { router } from "../context";
import { db } from "../db/client";
import { ping } from "../db/queries/health";
import { jsonContent } from "../schemas/common";
import { errorResponses } from "../schemas/errors";
import { Health } from "../schemas/health";

const getHealthRoute = createRoute({
	operationId: "getHealth",
	method: "get",
	path: "/",
	tags: ["Health"],
	summary: "Liveness, including a round trip to D1",
	security: [],
	responses: { 200: jsonContent(Health, "Serving"), ...errorResponses(500) },
});

export const healthRoutes = router().openapi(getHealthRoute, async (c) => {
	await ping(db(c.env));
	return c.json({ status: "ok" as const, time: new Date().toISOString() }, 200);
});
