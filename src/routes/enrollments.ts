import { createRoute } from "@hono/zod-openapi";
import { jsonBody } from "../content-type";
import { accepted, caller, router } from "../context";
import { idempotency } from "../idempotency";
import { BulkEnrollmentsBody, BulkQuery, BulkResult } from "../schemas/bulk";
import { jsonContent, jsonRequest } from "../schemas/common";
import { errorResponses, openApiErrorResponses } from "../schemas/errors";
import { Job } from "../schemas/jobs";
import { tenantKey } from "../services/access";
import { submitBatch } from "../services/bulk";

const bulkEnrollmentsRoute = createRoute({
	operationId: "bulkEnrollments",
	method: "post",
	path: "/bulk",
	tags: ["Enrollments"],
	summary: "Enroll users in courses, learning paths and bundles",
	security: [{ apiKey: [] }],
	middleware: [...tenantKey("admin"), jsonBody, idempotency("buffered")] as const,
	request: { query: BulkQuery, body: jsonRequest(BulkEnrollmentsBody) },
	responses: {
		200: jsonContent(BulkResult, "Per-record results (fewer than 100 records)"),
		202: jsonContent(Job, "A job (100 records or more, or ?mode=async)"),
		...openApiErrorResponses,
		...errorResponses(409, 413),
	},
});

export const enrollmentRoutes = router().openapi(bulkEnrollmentsRoute, async (c) => {
	const { enrollments, options } = c.req.valid("json");
	const { mode, ifBusy } = c.req.valid("query");
	const answer = await submitBatch(
		c.env,
		{ ...caller(c), type: "enrollments", records: enrollments, options, ifBusy },
		mode === "async",
	);
	return "job" in answer ? accepted(c, answer.job) : c.json(answer.result, 200);
});
