import { createRoute } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { documentStreamed, jsonBody, jsonType, mediaType, streamedJson } from "../content-type";
import { type AppEnv, accepted, caller, router } from "../context";
import { idempotency } from "../idempotency";
import {
	BulkCompaniesBody,
	BulkEnrollmentsBody,
	BulkQuery,
	BulkResult,
	BulkUsersBody,
	CreateOnlyBulkUsersBody,
} from "../schemas/bulk";
import type { RecordType } from "../schemas/common";
import { jsonContent, jsonRequest } from "../schemas/common";
import {
	BulkOpsJob,
	BulkOpsJobCreated,
	BulkOpsJobParam,
	SeedBulkImport,
	USERPILOT_MAX_BYTES,
	USERPILOT_MAX_RECORDS,
	UserpilotQuery,
} from "../schemas/compat";
import { errorResponses, jsonBodyErrors, openApiErrorResponses } from "../schemas/errors";
import { BulkImportBody } from "../schemas/imports";
import { ENDED_STATUSES, Job } from "../schemas/jobs";
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
	description:
		"Creates users: an existing user is a per-record CONFLICT unless `options.upsert` or `options.skipExisting` is set.",
	security,
	middleware: [...tenantKey("admin"), jsonType, idempotency("streamed")] as const,
	...idempotent,
	request: { body: jsonRequest(CreateOnlyBulkUsersBody) },
	responses: { ...batchResult, ...bodyErrors },
});

const tiBulkEnrollmentsRoute = createRoute({
	operationId: "tiBulkEnrollments",
	method: "post",
	path: "/enrollments/bulk",
	tags,
	summary: "Thought Industries batch enrollments (up to 10,000, synchronous)",
	security,
	middleware: [...tenantKey("admin"), jsonType, idempotency("streamed")] as const,
	...idempotent,
	request: { body: jsonRequest(BulkEnrollmentsBody) },
	responses: { ...batchResult, ...bodyErrors },
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
	.openapi(streamedJson(tiBulkUsersRoute), async (c) => {
		const body = { request: c.req.raw, schema: CreateOnlyBulkUsersBody };
		return c.json(await writeBatch(c.env, { ...caller(c), type: "users", ...body, maxRecords: 100 }), 200);
	})
	.openapi(streamedJson(tiBulkEnrollmentsRoute), async (c) =>
		c.json(await writeBatch(c.env, { ...caller(c), type: "enrollments", request: c.req.raw }), 200),
	)
	.openapi(tiBulkImportRoute, async (c) => {
		const job = await importFromUrl(c.env, caller(c), c.req.valid("json"));
		return c.json({ data: { APIBulkImport: thoughtIndustriesJob(job) } }, 202, { Location: job.links.self });
	});

/** A job in Thought Industries' terms (spec §11). */
function thoughtIndustriesJob(job: Job) {
	const { id, type, description, createdAt } = job;
	const status = job.status === "completed" ? ("complete" as const) : job.status;
	const repeatable = ENDED_STATUSES.includes(job.status);
	return { id, type, description, errorMessage: job.errorMessage ?? "", createdAt, repeatable, status };
}

const bulkOpsUsersRoute = createRoute({
	operationId: "bulkOpsUsers",
	method: "post",
	path: "/users",
	tags,
	summary: "Bulk Operations API user import (synchronous below 100 users, a job from 100)",
	security,
	middleware: [...tenantKey("admin"), jsonType, idempotency("streamed")] as const,
	...idempotent,
	request: { query: BulkQuery, body: jsonRequest(BulkUsersBody) },
	responses: {
		...batchResult,
		202: jsonContent(BulkOpsJobCreated, "The job; poll its statusUrl"),
		...bodyErrors,
	},
});

const bulkOpsJobRoute = createRoute({
	operationId: "bulkOpsJob",
	method: "get",
	path: "/jobs/{jobId}",
	tags,
	summary: "Bulk Operations API job status",
	security,
	middleware: tenantKey("viewer"),
	request: { params: BulkOpsJobParam },
	responses: { 200: jsonContent(BulkOpsJob, "The job"), ...openApiErrorResponses, ...errorResponses(404) },
});

const bulkOpsStatusUrl = (jobId: string) => `/v1/bulk/jobs/${jobId}`;

/** A job in the Bulk Operations API's terms (spec §11): a cancelled job has `failed` there. */
function bulkOperationsJob(job: Job) {
	const { total, processed, failed } = job.counts;
	return {
		jobId: job.id,
		status: job.status === "cancelled" ? ("failed" as const) : job.status,
		totalRecords: total,
		processedRecords: processed,
		successCount: processed - failed,
		failureCount: failed,
		createdAt: job.createdAt,
		updatedAt: job.completedAt ?? job.startedAt ?? job.createdAt,
		completedAt: job.completedAt,
		...(ENDED_STATUSES.includes(job.status) ? download(job.links.resultsDownload) : {}),
	};
}

/** The signed results link, with its expiry as the seed shows it. */
function download(url: string) {
	const expires = Number(new URL(url).searchParams.get("expires"));
	return { downloadUrl: url, downloadUrlExpiresAt: new Date(expires * 1000).toISOString() };
}

export const bulkOperationsRoutes = router()
	.openapi(streamedJson(bulkOpsUsersRoute), async (c) => {
		const { mode, ifBusy } = c.req.valid("query");
		const batch = { ...caller(c), type: "users" as const, request: c.req.raw, ifBusy };
		const answer = await submitBatch(c.env, batch, mode === "async");
		if ("result" in answer) return c.json(answer.result, 200);
		const { id: jobId, status, counts, createdAt } = answer.job;
		const statusUrl = bulkOpsStatusUrl(jobId);
		return c.json({ jobId, status, totalRecords: counts.total, createdAt, statusUrl }, 202, { Location: statusUrl });
	})
	.openapi(bulkOpsJobRoute, async (c) =>
		c.json(bulkOperationsJob(await findJob(c.env, c.get("tenantId"), c.req.valid("param").jobId)), 200),
	);

/** Userpilot's multipart NDJSON `file` on a bulk_identify path: a file import instead of a JSON batch. */
function multipartImport(recordType: RecordType) {
	return createMiddleware<AppEnv>(async function multipartImport(c, next) {
		if (mediaType(c.req.header("Content-Type")) !== "multipart/form-data") return next();
		const ifBusy = c.req.query("ifBusy") === "queue" ? "queue" : "reject";
		const options = ImportOptions.parse({ requireExternalId: true });
		const limits = { maxBytes: USERPILOT_MAX_BYTES, maxRecords: USERPILOT_MAX_RECORDS };
		const input = { recordType, options, ifBusy, ...limits } as const;
		return accepted(c, await importFile(c.env, c.get("tenantId"), c.req.raw, input));
	});
}

const userpilotIdentifyUsersRoute = createRoute({
	operationId: "userpilotIdentifyUsers",
	method: "post",
	path: "/users/bulk_identify",
	tags,
	summary: "Userpilot bulk identify users (JSON, or multipart NDJSON `file`)",
	security,
	middleware: [...tenantKey("admin"), idempotency("streamed"), multipartImport("users"), jsonType] as const,
	...idempotent,
	request: { query: UserpilotQuery, body: jsonOrFileRequest(BulkUsersBody) },
	responses: { ...batchJobAnswer, ...bodyErrors },
});

const userpilotIdentifyCompaniesRoute = createRoute({
	operationId: "userpilotIdentifyCompanies",
	method: "post",
	path: "/companies/bulk_identify",
	tags,
	summary: "Userpilot bulk identify companies (JSON, or multipart NDJSON `file`)",
	security,
	middleware: [...tenantKey("admin"), idempotency("streamed"), multipartImport("companies"), jsonType] as const,
	...idempotent,
	request: { query: UserpilotQuery, body: jsonOrFileRequest(BulkCompaniesBody) },
	responses: { ...batchJobAnswer, ...bodyErrors },
});

export const userpilotRoutes = router()
	.openapi(streamedJson(userpilotIdentifyUsersRoute), async (c) => {
		const { ifBusy } = c.req.valid("query");
		const batch = { ...caller(c), type: "users" as const, request: c.req.raw, ifBusy };
		return accepted(c, await batchJob(c.env, { ...batch, fixedOptions: { requireExternalId: true } }));
	})
	.openapi(streamedJson(userpilotIdentifyCompaniesRoute), async (c) => {
		const { ifBusy } = c.req.valid("query");
		return accepted(c, await batchJob(c.env, { ...caller(c), type: "companies", request: c.req.raw, ifBusy }));
	});

documentStreamed(thoughtIndustriesRoutes, tiBulkUsersRoute, tiBulkEnrollmentsRoute);
documentStreamed(bulkOperationsRoutes, bulkOpsUsersRoute);
documentStreamed(userpilotRoutes, userpilotIdentifyUsersRoute, userpilotIdentifyCompaniesRoute);
