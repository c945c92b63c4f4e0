import { createRoute } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { jsonBody, mediaType } from "../content-type";
import { type AppEnv, accepted, answered, caller, router } from "../context";
import { idempotency } from "../idempotency";
import { BulkCompaniesBody, BulkEnrollmentsBody, BulkQuery, BulkResult, BulkUsersBody } from "../schemas/bulk";
import type { RecordType } from "../schemas/common";
import { IdParam, jsonContent, jsonRequest } from "../schemas/common";
import { SeedBulkImport } from "../schemas/compat";
import { errorResponses, jsonBodyErrors, openApiErrorResponses } from "../schemas/errors";
import { BulkImportBody } from "../schemas/imports";
import { Job } from "../schemas/jobs";
import { idempotent, jsonOrFileRequest } from "../schemas/openapi";
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
/** A JSON body, and the Idempotency-Key that guards it: 409 for a key reused with another body. */
const bodyErrors = { ...openApiErrorResponses, ...jsonBodyErrors, ...errorResponses(409) };

const tiBulkUsersRoute = createRoute({
	operationId: "tiBulkUsers",
	method: "post",
	path: "/users/bulk",
	tags,
	summary: "Thought Industries batch user creation (up to 100, synchronous)",
	security,
	middleware: [...tenantKey("admin"), jsonBody, idempotency("buffered")] as const,
	...idempotent,
	request: { query: BulkQuery, body: jsonRequest(BulkUsersBody) },
	responses: { ...batchResult, ...bodyErrors },
});

const tiBulkEnrollmentsRoute = createRoute({
	operationId: "tiBulkEnrollments",
	method: "post",
	path: "/enrollments/bulk",
	tags,
	summary: "Thought Industries batch enrollments",
	security,
	middleware: [...tenantKey("admin"), jsonBody, idempotency("buffered")] as const,
	...idempotent,
	request: { query: BulkQuery, body: jsonRequest(BulkEnrollmentsBody) },
	responses: { ...batchResult, ...batchJobAnswer, ...bodyErrors },
});

const tiBulkImportRoute = createRoute({
	operationId: "tiBulkImport",
	method: "post",
	path: "/users/bulkImport",
	tags,
	summary: "Thought Industries bulkImport",
	security,
	middleware: [...tenantKey("admin"), jsonBody, idempotency("buffered")] as const,
	...idempotent,
	request: { body: jsonRequest(BulkImportBody) },
	responses: { 202: jsonContent(SeedBulkImport, "The import job"), ...bodyErrors },
});

export const thoughtIndustriesRoutes = router()
	.openapi(tiBulkUsersRoute, async (c) => {
		const { users, options } = c.req.valid("json");
		return c.json(
			await writeBatch(c.env, { ...caller(c), type: "users", records: users, options, maxRecords: 100 }),
			200,
		);
	})
	.openapi(tiBulkEnrollmentsRoute, async (c) => {
		const { enrollments, options } = c.req.valid("json");
		const { mode, ifBusy } = c.req.valid("query");
		const batch = { ...caller(c), type: "enrollments" as const, records: enrollments, options, ifBusy };
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
	middleware: [...tenantKey("admin"), jsonBody, idempotency("buffered")] as const,
	...idempotent,
	request: { query: BulkQuery, body: jsonRequest(BulkUsersBody) },
	responses: { ...batchResult, ...batchJobAnswer, ...bodyErrors },
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
	.openapi(bulkOpsUsersRoute, async (c) => {
		const { users, options } = c.req.valid("json");
		const { mode, ifBusy } = c.req.valid("query");
		const batch = { ...caller(c), type: "users" as const, records: users, options, ifBusy };
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
	middleware: [...tenantKey("admin"), multipartImport("users"), jsonBody, idempotency("buffered")] as const,
	...idempotent,
	request: { query: BulkQuery, body: jsonOrFileRequest(BulkUsersBody) },
	responses: { ...batchJobAnswer, ...bodyErrors },
});

const userpilotIdentifyCompaniesRoute = createRoute({
	operationId: "userpilotIdentifyCompanies",
	method: "post",
	path: "/companies/bulk_identify",
	tags,
	summary: "Userpilot bulk identify companies (JSON, or multipart NDJSON `file`)",
	security,
	middleware: [...tenantKey("admin"), multipartImport("companies"), jsonBody, idempotency("buffered")] as const,
	...idempotent,
	request: { query: BulkQuery, body: jsonOrFileRequest(BulkCompaniesBody) },
	responses: { ...batchJobAnswer, ...bodyErrors },
});

export const userpilotRoutes = router()
	.openapi(userpilotIdentifyUsersRoute, async (c) => {
		const { users, options } = c.req.valid("json");
		const { ifBusy } = c.req.valid("query");
		return accepted(c, await batchJob(c.env, { ...caller(c), type: "users", records: users, options, ifBusy }));
	})
	.openapi(userpilotIdentifyCompaniesRoute, async (c) => {
		const { companies, options } = c.req.valid("json");
		const { ifBusy } = c.req.valid("query");
		return accepted(c, await batchJob(c.env, { ...caller(c), type: "companies", records: companies, options, ifBusy }));
	});
