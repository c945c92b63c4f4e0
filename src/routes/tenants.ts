import { createRoute } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { issueKey } from "../auth/issue";
import { randomId } from "../auth/keys";
import { requireOperator } from "../auth/middleware";
import { jsonBody } from "../content-type";
import { router } from "../context";
import { db } from "../db/client";
import { tenants } from "../db/schema";
import { ApiError } from "../errors";
import { authErrors, jsonContent, jsonRequest, notFound, operatorErrors } from "../schemas/common";
import { CreatedTenant, CreateTenant, Tenant, UpdateTenant } from "../schemas/tenants";
import { tenantObject } from "../tenant/object";

const security = [{ operator: [] }];

export const tenantRoutes = router()
	.openapi(
		createRoute({
			method: "post",
			path: "/",
			tags: ["Tenants"],
			summary: "Create a tenant and its first super_admin key (operator)",
			security,
			middleware: [requireOperator, jsonBody] as const,
			request: { body: jsonRequest(CreateTenant) },
			responses: {
				201: jsonContent(CreatedTenant, "The tenant and its key, shown once"),
				...authErrors,
				...operatorErrors,
			},
		}),
		async (c) => {
			const { name, limits = {} } = c.req.valid("json");
			const database = db(c.env);
			const tenant = { id: randomId("ten"), name, limits, createdAt: new Date().toISOString() };
			const key = await issueKey(database, tenant.id, "initial super_admin key", "super_admin");
			await database.batch([database.insert(tenants).values(tenant), key.insert]);
			const { id, key: secret, role } = key.created;
			return c.json({ tenant, apiKey: { id, key: secret, role } }, 201);
		},
	)
	.openapi(
		createRoute({
			method: "patch",
			path: "/{id}",
			tags: ["Tenants"],
			summary: "Change a tenant's limits (operator)",
			security,
			middleware: [requireOperator, jsonBody] as const,
			request: { params: Tenant.pick({ id: true }), body: jsonRequest(UpdateTenant) },
			responses: { 200: jsonContent(Tenant, "The updated tenant"), ...authErrors, ...notFound, ...operatorErrors },
		}),
		async (c) => {
			const { id } = c.req.valid("param");
			const { limits } = c.req.valid("json");
			const database = db(c.env);
			const [current] = await database.select().from(tenants).where(eq(tenants.id, id));
			if (!current) throw new ApiError("NOT_FOUND", `Tenant ${id} not found`);
			const merged = { ...current.limits, ...limits };
			const [updated] = await database.update(tenants).set({ limits: merged }).where(eq(tenants.id, id)).returning();
			await tenantObject(c.env, id).applyLimits(merged);
			return c.json(updated!, 200);
		},
	);
