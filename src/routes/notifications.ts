import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, gt } from "drizzle-orm";
import { requireKey } from "../auth/middleware";
import { jsonBody } from "../content-type";
import { router } from "../context";
import { db } from "../db/client";
import { notifications, webhooks } from "../db/schema";
import { ApiError } from "../errors";
import { assertFetchable, redactUrl } from "../notify/url-guard";
import {
	authErrors,
	decodeCursor,
	jsonContent,
	jsonRequest,
	notFound,
	PageQuery,
	page,
	toPage,
} from "../schemas/common";

const security = [{ apiKey: [] }];

const Notification = z
	.object({
		id: z.number().int(),
		kind: z.literal("welcome"),
		email: z.string().nullable(),
		externalId: z.string().nullable(),
		inviteMessage: z.string().nullable(),
		createdAt: z.string(),
		deliveredAt: z.string().nullable(),
	})
	.openapi("Notification");

const WebhookBody = z.strictObject({
	url: z.string().url().max(2048),
	secret: z.string().min(16, "use a secret of at least 16 characters").max(256),
});
const Webhook = z.object({ url: z.string(), updatedAt: z.string() }).openapi("Webhook");

export const notificationRoutes = router()
	.openapi(
		createRoute({
			method: "get",
			path: "/v1/notifications",
			tags: ["Notifications"],
			summary: "Welcome messages, oldest first",
			security,
			middleware: [requireKey("viewer")] as const,
			request: { query: PageQuery },
			responses: { 200: jsonContent(page(Notification), "A page of messages"), ...authErrors },
		}),
		async (c) => {
			const { cursor, limit } = c.req.valid("query");
			const after = decodeCursor<number>(cursor, "number");
			const rows = await db(c.env)
				.select()
				.from(notifications)
				.where(
					and(
						eq(notifications.tenantId, c.get("tenantId")),
						after !== undefined ? gt(notifications.id, after) : undefined,
					),
				)
				.orderBy(asc(notifications.id))
				.limit(limit + 1);
			const view = ({ id, kind, email, externalId, inviteMessage, createdAt, deliveredAt }: (typeof rows)[number]) => ({
				id,
				kind,
				email,
				externalId,
				inviteMessage,
				createdAt,
				deliveredAt,
			});
			return c.json(
				toPage(rows, limit, (n) => n.id, view),
				200,
			);
		},
	)
	.openapi(
		createRoute({
			method: "put",
			path: "/v1/webhook",
			tags: ["Notifications"],
			summary: "Set the webhook that hears of every job reaching a terminal status (signed with the secret)",
			security,
			middleware: [requireKey("admin"), jsonBody] as const,
			request: { body: jsonRequest(WebhookBody) },
			responses: { 200: jsonContent(Webhook, "The webhook (the secret is never shown again)"), ...authErrors },
		}),
		async (c) => {
			const { url, secret } = c.req.valid("json");
			assertFetchable(url, c.env);
			const hook = { tenantId: c.get("tenantId"), url, secret, updatedAt: new Date().toISOString() };
			await db(c.env)
				.insert(webhooks)
				.values(hook)
				.onConflictDoUpdate({ target: webhooks.tenantId, set: { url, secret, updatedAt: hook.updatedAt } });
			return c.json({ url: redactUrl(url), updatedAt: hook.updatedAt }, 200);
		},
	)
	.openapi(
		createRoute({
			method: "get",
			path: "/v1/webhook",
			tags: ["Notifications"],
			summary: "The tenant's webhook",
			security,
			middleware: [requireKey("viewer")] as const,
			responses: { 200: jsonContent(Webhook, "The webhook"), ...authErrors, ...notFound },
		}),
		async (c) => {
			const [hook] = await db(c.env)
				.select()
				.from(webhooks)
				.where(eq(webhooks.tenantId, c.get("tenantId")));
			if (!hook) throw new ApiError("NOT_FOUND", "No webhook is set");
			return c.json({ url: redactUrl(hook.url), updatedAt: hook.updatedAt }, 200);
		},
	)
	.openapi(
		createRoute({
			method: "delete",
			path: "/v1/webhook",
			tags: ["Notifications"],
			summary: "Remove the webhook",
			security,
			middleware: [requireKey("admin")] as const,
			responses: { 204: { description: "Removed" }, ...authErrors },
		}),
		async (c) => {
			await db(c.env)
				.delete(webhooks)
				.where(eq(webhooks.tenantId, c.get("tenantId")));
			return c.body(null, 204);
		},
	);
