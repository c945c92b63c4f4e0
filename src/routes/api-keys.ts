import { createRoute } from "@hono/zod-openapi";
import { jsonBody } from "../content-type";
import { router } from "../context";
import { db } from "../db/client";
import { listKeys } from "../db/queries/api-keys";
import { ApiKeyList } from "../schemas/api-keys";
import { IdParam, jsonContent, jsonRequest } from "../schemas/common";
import { errorResponses, jsonBodyErrors, openApiErrorResponses } from "../schemas/errors";
import { CreateApiKey, CreatedApiKey } from "../schemas/tenants";
import { tenantKey } from "../services/access";
import { createKey, revoke } from "../services/api-keys";

const tags = ["API keys"];
const security = [{ apiKey: [] }];

const createApiKeyRoute = createRoute({
	operationId: "createApiKey",
	method: "post",
	path: "/",
	tags,
	summary: "Create an API key (shown once)",
	security,
	middleware: [...tenantKey("super_admin"), jsonBody] as const,
	request: { body: jsonRequest(CreateApiKey) },
	responses: {
		201: jsonContent(CreatedApiKey, "The new key, shown once"),
		...openApiErrorResponses,
		...jsonBodyErrors,
	},
});

const listApiKeysRoute = createRoute({
	operationId: "listApiKeys",
	method: "get",
	path: "/",
	tags,
	summary: "List the tenant's API keys (never the keys themselves)",
	security,
	middleware: tenantKey("super_admin"),
	responses: { 200: jsonContent(ApiKeyList, "Keys, newest first"), ...openApiErrorResponses },
});

const revokeApiKeyRoute = createRoute({
	operationId: "revokeApiKey",
	method: "delete",
	path: "/{id}",
	tags,
	summary: "Revoke an API key; it fails from the next request on (revoking twice is a no-op)",
	security,
	middleware: tenantKey("super_admin"),
	request: { params: IdParam },
	responses: { 204: { description: "Revoked" }, ...openApiErrorResponses, ...errorResponses(404) },
});

export const apiKeyRoutes = router()
	.openapi(createApiKeyRoute, async (c) => {
		const { name, role } = c.req.valid("json");
		return c.json(await createKey(c.env, c.get("tenantId"), name, role), 201);
	})
	.openapi(listApiKeysRoute, async (c) => c.json({ data: await listKeys(db(c.env), c.get("tenantId")) }, 200))
	.openapi(revokeApiKeyRoute, async (c) => {
		await revoke(c.env, c.get("tenantId"), c.req.valid("param").id);
		return c.body(null, 204);
	});
