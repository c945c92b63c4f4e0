import { createRoute } from "@hono/zod-openapi";
import { requireOperator } from "../auth/operator";
import { jsonBody } from "../content-type";
import { router } from "../context";
import { jsonContent, jsonRequest } from "../schemas/common";
import { errorResponses } from "../schemas/errors";
import { MoveRequest, TenantMove } from "../schemas/moves";
import { CreatedTenant, CreateTenant, Tenant, UpdateTenant } from "../schemas/tenants";
import { currentMove, startMove } from "../services/moves";
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

const moveTenantRoute = createRoute({
	operationId: "moveTenant",
	method: "post",
	path: "/{id}/move",
	tags,
	summary: "Move a tenant's records to another shard, online (operator)",
	description:
		"Copies the tenant's records to the shard, catches up what is written meanwhile, pauses the tenant's writes for the switch only (write requests get 503 `TENANT_MOVING` with Retry-After, jobs wait in its queue), switches, then deletes the old rows. 409 when the tenant is on that shard already or a move is running.",
	security,
	middleware: [requireOperator, jsonBody] as const,
	request: { params: Tenant.pick({ id: true }), body: jsonRequest(MoveRequest) },
	responses: {
		202: jsonContent(TenantMove, "The move, started"),
		...operatorErrors,
		...errorResponses(404, 409),
	},
});

const getMoveRoute = createRoute({
	operationId: "getTenantMove",
	method: "get",
	path: "/{id}/move",
	tags,
	summary: "The tenant's latest move and how far it is (operator)",
	security,
	middleware: [requireOperator] as const,
	request: { params: Tenant.pick({ id: true }) },
	responses: { 200: jsonContent(TenantMove, "The move"), ...errorResponses(401, 404, 429, 500, 503) },
});

export const tenantRoutes = router()
	.openapi(createTenantRoute, async (c) => c.json(await createTenant(c.env, c.req.valid("json")), 201))
	.openapi(updateTenantRoute, async (c) => {
		const tenant = await updateLimits(c.env, c.req.valid("param").id, c.req.valid("json").limits);
		return c.json(tenant, 200);
	})
	.openapi(moveTenantRoute, async (c) => {
		const move = await startMove(c.env, c.req.valid("param").id, c.req.valid("json").shard);
		return c.json(move, 202, { Location: move.links.self });
	})
	.openapi(getMoveRoute, async (c) => c.json(await currentMove(c.env, c.req.valid("param").id), 200));
