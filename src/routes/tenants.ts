import { createRoute } from "@hono/zod-openapi";
import { requireOperator } from "../auth/operator";
import { jsonBody } from "../content-type";
import { router } from "../context";
import { jsonContent, jsonRequest } from "../schemas/common";
import { errorResponses } from "../schemas/errors";
import { CreatedTenant, CreateTenant, Tenant, UpdateTenant } from "../schemas/tenants";
import { createTenant, updateLimits } from "../services/tenants";

const tags = ["Tenants"];
const security = [{ operator: [] }];
/** Operator requests are neither rate limited nor role-checked. */
const operatorErrors = errorResponses(400, 401, 413, 415, 429, 500, 503);

const createTenantRoute = createRoute({
	operationId: "createTenant",
	method: "post",
	path: "/",
	tags,
	summary: "Create a tenant and its first super_admin key (operator)",
	security,
	middleware: [requireOperator, jsonBody] as const,
	request: { body: jsonRequest(CreateTenant) },
	responses: { 201: jsonContent(CreatedTenant, "The tenant and its key, shown once"), ...operatorErrors },
});

const updateTenantRoute = createRoute({
	operationId: "updateTenant",
	method: "patch",
	path: "/{id}",
	tags,
	summary: "Change a tenant's limits (operator)",
	security,
	middleware: [requireOperator, jsonBody] as const,
	request: { params: Tenant.pick({ id: true }), body: jsonRequest(UpdateTenant) },
	responses: { 200: jsonContent(Tenant, "The updated tenant"), ...operatorErrors, ...errorResponses(404) },
});

export const tenantRoutes = router()
	.openapi(createTenantRoute, async (c) => c.json(await createTenant(c.env, c.req.valid("json")), 201))
	.openapi(updateTenantRoute, async (c) => {
		const tenant = await updateLimits(c.env, c.req.valid("param").id, c.req.valid("json").limits);
		return c.json(tenant, 200);
	});
