import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, sql } from "drizzle-orm";
import { issueKey } from "../auth/issue";
import { requireKey } from "../auth/middleware";
import { jsonBody } from "../content-type";
import { router } from "../context";
import { db } from "../db/client";
import { apiKeys } from "../db/schema";
import { ApiError } from "../errors";
import { authErrors, jsonContent, jsonRequest, notFound } from "../schemas/common";
import { ApiKey, CreateApiKey, CreatedApiKey } from "../schemas/tenants";

const tags = ["API keys"];
const security = [{ apiKey: [] }];
const superAdmin = requireKey("super_admin");

export const apiKeyRoutes = router()
	.openapi(
		createRoute({
			method: "post",
			path: "/",
			tags,
			summary: "Create an API key (shown once)",
			security,
			middleware: [superAdmin, jsonBody] as const,
			request: { body: jsonRequest(CreateApiKey) },
			responses: { 201: jsonContent(CreatedApiKey, "The new key, shown once"), ...authErrors },
		}),
		async (c) => {
			const { name, role } = c.req.valid("json");
			const key = await issueKey(db(c.env), c.get("tenantId"), name, role);
			await key.insert;
			return c.json(key.created, 201);
		},
	)
	.openapi(
		createRoute({
			method: "get",
			path: "/",
			tags,
			summary: "List the tenant's API keys (never the keys themselves)",
			security,
			middleware: [superAdmin] as const,
			responses: { 200: jsonContent(z.object({ data: z.array(ApiKey) }), "Keys, newest first"), ...authErrors },
		}),
		async (c) => {
			const data = await db(c.env)
				.select({
					id: apiKeys.id,
					name: apiKeys.name,
					role: apiKeys.role,
					createdAt: apiKeys.createdAt,
					revokedAt: apiKeys.revokedAt,
				})
				.from(apiKeys)
				.where(eq(apiKeys.tenantId, c.get("tenantId")))
				.orderBy(desc(apiKeys.createdAt));
			return c.json({ data }, 200);
		},
	)
	.openapi(
		createRoute({
			method: "delete",
			path: "/{id}",
			tags,
			summary: "Revoke an API key; it fails from the next request on (revoking twice is a no-op)",
			security,
			middleware: [superAdmin] as const,
			request: { params: z.object({ id: z.string() }) },
			responses: { 204: { description: "Revoked" }, ...authErrors, ...notFound },
		}),
		async (c) => {
			const { id } = c.req.valid("param");
			const revoked = await db(c.env)
				.update(apiKeys)
				.set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${new Date().toISOString()})` })
				.where(and(eq(apiKeys.id, id), eq(apiKeys.tenantId, c.get("tenantId"))))
				.returning({ id: apiKeys.id });
			if (revoked.length === 0) throw new ApiError("NOT_FOUND", `API key ${id} not found`);
			return c.body(null, 204);
		},
	);
