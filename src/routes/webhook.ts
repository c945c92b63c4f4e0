import { createRoute } from "@hono/zod-openapi";
import { jsonBody } from "../content-type";
import { router } from "../context";
import { db } from "../db/client";
import { deleteWebhook, findWebhook, putWebhook } from "../db/queries/webhooks";
import { ApiError } from "../errors";
import { assertFetchable, redactUrl } from "../notify/url-guard";
import { jsonContent, jsonRequest } from "../schemas/common";
import { errorResponses, jsonBodyErrors, openApiErrorResponses } from "../schemas/errors";
import { Webhook, WebhookBody } from "../schemas/notifications";
import { tenantKey } from "../services/access";

const tags = ["Notifications"];
const security = [{ apiKey: [] }];

const putWebhookRoute = createRoute({
	operationId: "putWebhook",
	method: "put",
	path: "/",
	tags,
	summary: "Set the webhook that hears of every job reaching a terminal status (signed with the secret)",
	security,
	middleware: [...tenantKey("admin"), jsonBody] as const,
	request: { body: jsonRequest(WebhookBody) },
	responses: {
		200: jsonContent(Webhook, "The webhook (the secret is never shown again)"),
		...openApiErrorResponses,
		...jsonBodyErrors,
	},
});

const getWebhookRoute = createRoute({
	operationId: "getWebhook",
	method: "get",
	path: "/",
	tags,
	summary: "The tenant's webhook",
	security,
	middleware: tenantKey("viewer"),
	responses: { 200: jsonContent(Webhook, "The webhook"), ...openApiErrorResponses, ...errorResponses(404) },
});

const deleteWebhookRoute = createRoute({
	operationId: "deleteWebhook",
	method: "delete",
	path: "/",
	tags,
	summary: "Remove the webhook",
	security,
	middleware: tenantKey("admin"),
	responses: { 204: { description: "Removed" }, ...openApiErrorResponses },
});

export const webhookRoutes = router()
	.openapi(putWebhookRoute, async (c) => {
		const { url, secret } = c.req.valid("json");
		assertFetchable(url, c.env);
		const updatedAt = new Date().toISOString();
		await putWebhook(db(c.env), { tenantId: c.get("tenantId"), url, secret, updatedAt });
		return c.json({ url: redactUrl(url), updatedAt }, 200);
	})
	.openapi(getWebhookRoute, async (c) => {
		const hook = await findWebhook(db(c.env), c.get("tenantId"));
		if (!hook) throw new ApiError("NOT_FOUND", "No webhook is set");
		return c.json({ url: redactUrl(hook.url), updatedAt: hook.updatedAt }, 200);
	})
	.openapi(deleteWebhookRoute, async (c) => {
		await deleteWebhook(db(c.env), c.get("tenantId"));
		return c.body(null, 204);
	});
