import { createRoute } from "@hono/zod-openapi";
import { documentStreamed, jsonType, streamedJson } from "../content-type";
import { answered, caller, router } from "../context";
import { idempotency } from "../idempotency";
import { BulkEnrollmentsBody, BulkQuery, BulkResult } from "../schemas/bulk";
import { jsonContent, jsonRequest } from "../schemas/common";
import { errorResponses, jsonBodyErrors, openApiErrorResponses } from "../schemas/errors";
import { Job } from "../schemas/jobs";
import { idempotent } from "../schemas/openapi";
import { tenantKey } from "../services/access";
import { submitBatch } from "../services/bulk";

const bulkEnrollmentsRoute = createRoute({
	operationId: "bulkEnrollments",
	method: "post",
	path: "/bulk",
	tags: ["Enrollments"],
	summary: "Enroll users in courses, learning paths and bundles",
	security: [{ apiKey: [] }],
	middleware: [...tenantKey("admin"), jsonType, idempotency("streamed")] as const,
	...idempotent,
	request: { query: BulkQuery, body: jsonRequest(BulkEnrollmentsBody) },
	responses: {
		200: jsonContent(BulkResult, "Per-record results (fewer than 100 records)"),
		202: jsonContent(Job, "A job (100 records or more, or ?mode=async)"),
		...openApiErrorResponses,
		...jsonBodyErrors,
		...errorResponses(409),
	},
});

export const enrollmentRoutes = router().openapi(streamedJson(bulkEnrollmentsRoute), async (c) => {
	const { mode, ifBusy } = c.req.valid("query");
	const batch = { ...caller(c), type: "enrollments" as const, request: c.req.raw, ifBusy };
	return answered(c, await submitBatch(c.env, batch, mode === "async"));
});

documentStreamed(enrollmentRoutes, bulkEnrollmentsRoute);
