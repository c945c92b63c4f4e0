import { createRoute } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { documentStreamed, jsonBody, jsonType, mediaType, streamedJson } from "../content-type";
import { type AppEnv, accepted, answered, caller, router } from "../context";
import { idempotency } from "../idempotency";
import { BulkCompaniesBody, BulkEnrollmentsBody, BulkQuery, BulkResult, BulkUsersBody } from "../schemas/bulk";
import type { RecordType } from "../schemas/common";
import { IdParam, jsonContent, jsonRequest } from "../schemas/common";
import { SeedBulkImport } from "../schemas/compat";
import { errorResponses, openApiErrorResponses } from "../schemas/errors";
import { BulkImportBody } from "../schemas/imports";
import { Job } from "../schemas/jobs";
import { ImportOptions } from "../schemas/records";
import { tenantKey } from "../services/access";
import { batchJob, submitBatch, writeBatch } from "../services/bulk";
import { importFile } from "../services/imports";
import { findJob } from "../services/jobs";
import { importFromUrl } from "../services/url-import";

/*
 * The seeds' own paths and shapes (spec §11), served by the same services as Cohort's routes.
 * One router per seed API, each under its own prefix: Thought Industries (/incoming/v2), the
 * AWS-style Bulk Operations API (/v1/bulk) and Userpilot (/v1).
 */

const tags = ["Compatibility"];
const security = [{ apiKey: [] }];
const batchResult = { 200: jsonContent(BulkResult, "Per-record results") };
const batchJobAnswer = { 202: jsonContent(Job, "The job; poll its Location") };

const tiBulkUsersRoute = createRoute({
	operationId: "tiBulkUsers",
	method: "post",
	path: "/users/bulk",
	tags,
	summary: "Thought Industries batch user creation (up to 100, synchronous)",
	security,
	middleware: [...tenantKey("admin"), jsonType, idempotency("streamed")] as const,
	request: { query: BulkQuery, body: jsonRequest(BulkUsersBody) },
	responses: { ...batchResult, ...openApiErrorResponses, ...errorResponses(409, 413) },
});

const tiBulkEnrollmentsRoute = createRoute({
	operationId: "tiBulkEnrollments",
	method: "post",
	path: "/enrollments/bulk",
	tags,
	summary: "Thought Industries batch enrollments",
	security,
	middleware: [...tenantKey("admin"), jsonType, idempotency("streamed")] as const,
	request: { query: BulkQuery, body: jsonRequest(BulkEnrollmentsBody) },
	responses: { ...batchResult, ...batchJobAnswer, ...openApiErrorResponses, ...errorResponses(409, 413) },
});

const tiBulkImportRoute = createRoute({
	operationId: "tiBulkImport",
	method: "post",
	path: "/users/bulkImport",
	tags,
	summary: "Thought Industries bulkImport",
	security,
	middleware: [...tenantKey("admin"), jsonBody, idempotency("buffered")] as const,
	request: { body: jsonRequest(BulkImportBody) },
	responses: { 202: jsonContent(SeedBulkImport, "The import job"), ...openApiErrorResponses, ...errorResponses(409) },
});

export const thoughtIndustriesRoutes = router()
	.openapi(streamedJson(tiBulkUsersRoute), async (c) => {
		const batch = { ...caller(c), type: "users" as const, request: c.req.raw, maxRecords: 100 };
		return c.json(await writeBatch(c.env, batch), 200);
	})
	.openapi(streamedJson(tiBulkEnrollmentsRoute), async (c) => {
		const { mode, ifBusy } = c.req.valid("query");
		const batch = { ...caller(c), type: "enrollments" as const, request: c.req.raw, ifBusy };
		return answered(c, await submitBatch(c.env, batch, mode === "async"));
	})
	.openapi(tiBulkImportRoute, async (c) => {
		const job = await importFromUrl(c.env, c.get("tenantId"), c.req.valid("json"));
		const { id, type, description, errorMessage, createdAt, repeatable, status } = job;
		const APIBulkImport = { id, type, description, errorMessage, createdAt, repeatable, status };
		return c.json({ data: { APIBulkImport } }, 202, { Location: job.links.self });
	});

const bulkOpsUsersRoute = createRoute({
	operationId: "bulkOpsUsers",
	method: "post",
	path: "/users",
	tags,
	summary: "Bulk Operations API user import",
	security,
	middleware: [...tenantKey("admin"), jsonType, idempotency("streamed")] as const,
	request: { query: BulkQuery, body: jsonRequest(BulkUsersBody) },
	responses: { ...batchResult, ...batchJobAnswer, ...openApiErrorResponses, ...errorResponses(409, 413) },
});

const bulkOpsJobRoute = createRoute({
	operationId: "bulkOpsJob",
	method: "get",
	path: "/jobs/{id}",
	tags,
	summary: "Bulk Operations API job status",
	security,
	middleware: tenantKey("viewer"),
	request: { params: IdParam },
	responses: { 200: jsonContent(Job, "The job"), ...openApiErrorResponses, ...errorResponses(404) },
});

export const bulkOperationsRoutes = router()
	.openapi(streamedJson(bulkOpsUsersRoute), async (c) => {
		const { mode, ifBusy } = c.req.valid("query");
		const batch = { ...caller(c), type: "users" as const, request: c.req.raw, ifBusy };
		return answered(c, await submitBatch(c.env, batch, mode === "async"));
	})
	.openapi(bulkOpsJobRoute, async (c) => c.json(await findJob(c.env, c.get("tenantId"), c.req.valid("param").id), 200));

/** Userpilot's multipart NDJSON `file` on a bulk_identify path: a file import instead of a JSON batch. */
function multipartImport(recordType: RecordType) {
	return createMiddleware<AppEnv>(async function multipartImport(c, next) {
		if (mediaType(c.req.header("Content-Type")) !== "multipart/form-data") return next();
		const ifBusy = c.req.query("ifBusy") === "reject" ? "reject" : "queue";
		const options = ImportOptions.parse({});
		return accepted(c, await importFile(c.env, c.get("tenantId"), c.req.raw, { recordType, options, ifBusy }));
	});
}

const userpilotIdentifyUsersRoute = createRoute({
	operationId: "userpilotIdentifyUsers",
	method: "post",
	path: "/users/bulk_identify",
	tags,
	summary: "Userpilot bulk identify users (JSON, or multipart NDJSON `file`)",
	security,
	middleware: [...tenantKey("admin"), multipartImport("users"), jsonType, idempotency("streamed")] as const,
	request: { query: BulkQuery, body: jsonRequest(BulkUsersBody) },
	responses: { ...batchJobAnswer, ...openApiErrorResponses, ...errorResponses(409, 413) },
});

const userpilotIdentifyCompaniesRoute = createRoute({
	operationId: "userpilotIdentifyCompanies",
	method: "post",
	path: "/companies/bulk_identify",
	tags,
	summary: "Userpilot bulk identify companies (JSON, or multipart NDJSON `file`)",
	security,
	middleware: [...tenantKey("admin"), multipartImport("companies"), jsonType, idempotency("streamed")] as const,
	request: { query: BulkQuery, body: jsonRequest(BulkCompaniesBody) },
	responses: { ...batchJobAnswer, ...openApiErrorResponses, ...errorResponses(409, 413) },
});

export const userpilotRoutes = router()
	.openapi(streamedJson(userpilotIdentifyUsersRoute), async (c) => {
		const { ifBusy } = c.req.valid("query");
		return accepted(c, await batchJob(c.env, { ...caller(c), type: "users", request: c.req.raw, ifBusy }));
	})
	.openapi(streamedJson(userpilotIdentifyCompaniesRoute), async (c) => {
		const { ifBusy } = c.req.valid("query");
		return accepted(c, await batchJob(c.env, { ...caller(c), type: "companies", request: c.req.raw, ifBusy }));
	});

documentStreamed(thoughtIndustriesRoutes, tiBulkUsersRoute, tiBulkEnrollmentsRoute);
documentStreamed(bulkOperationsRoutes, bulkOpsUsersRoute);
documentStreamed(userpilotRoutes, userpilotIdentifyUsersRoute, userpilotIdentifyCompaniesRoute);
