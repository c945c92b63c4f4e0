import { createRoute } from "@hono/zod-openapi";
import { documentStreamed, jsonType, streamedJson } from "../content-type";
import { answered, caller, router } from "../context";
import { records } from "../db/client";
import { findCompany } from "../db/queries/companies";
import { ApiError } from "../errors";
import { idempotency } from "../idempotency";
import { BulkCompaniesBody, BulkQuery, BulkResult } from "../schemas/bulk";
import { jsonContent, jsonRequest } from "../schemas/common";
import { CompanyIdParam } from "../schemas/companies";
import { errorResponses, jsonBodyErrors, openApiErrorResponses } from "../schemas/errors";
import { Job } from "../schemas/jobs";
import { idempotent } from "../schemas/openapi";
import { Company, companyView } from "../schemas/views";
import { tenantKey } from "../services/access";
import { submitBatch } from "../services/bulk";

const tags = ["Companies"];
const security = [{ apiKey: [] }];

const getCompanyRoute = createRoute({
	operationId: "getCompany",
	method: "get",
	path: "/{companyId}",
	tags,
	summary: "Get a company",
	security,
	middleware: tenantKey("viewer"),
	request: { params: CompanyIdParam },
	responses: { 200: jsonContent(Company, "The company"), ...openApiErrorResponses, ...errorResponses(404) },
});

const bulkCompaniesRoute = createRoute({
	operationId: "bulkCompanies",
	method: "post",
	path: "/bulk",
	tags,
	summary: "Create or update up to 10,000 companies",
	security,
	middleware: [...tenantKey("admin"), jsonType, idempotency("streamed")] as const,
	...idempotent,
	request: { query: BulkQuery, body: jsonRequest(BulkCompaniesBody) },
	responses: {
		200: jsonContent(BulkResult, "Per-record results (fewer than 100 records)"),
		202: jsonContent(Job, "A job (100 records or more, or ?mode=async)"),
		...openApiErrorResponses,
		...jsonBodyErrors,
		...errorResponses(409),
	},
});

export const companyRoutes = router()
	.openapi(getCompanyRoute, async (c) => {
		const { companyId } = c.req.valid("param");
		const company = await findCompany(records(c.env, c.get("shard")), c.get("tenantId"), companyId);
		if (!company) throw new ApiError("NOT_FOUND", `Company ${companyId} not found`);
		return c.json(companyView(company), 200);
	})
	.openapi(streamedJson(bulkCompaniesRoute), async (c) => {
		const { mode, ifBusy } = c.req.valid("query");
		const batch = { ...caller(c), type: "companies" as const, request: c.req.raw, ifBusy };
		return answered(c, await submitBatch(c.env, batch, mode === "async"));
	});

documentStreamed(companyRoutes, bulkCompaniesRoute);
