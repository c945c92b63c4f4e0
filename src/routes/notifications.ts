import { createRoute } from "@hono/zod-openapi";
import { router } from "../context";
import { records } from "../db/client";
import { listNotifications } from "../db/queries/notifications";
import { decodeCursor, jsonContent, PageQuery, toPage } from "../schemas/common";
import { openApiErrorResponses } from "../schemas/errors";
import { NotificationPage } from "../schemas/notifications";
import { tenantKey } from "../services/access";

const listNotificationsRoute = createRoute({
	operationId: "listNotifications",
	method: "get",
	path: "/",
	tags: ["Notifications"],
	summary: "Welcome messages, oldest first",
	security: [{ apiKey: [] }],
	middleware: tenantKey("viewer"),
	request: { query: PageQuery },
	responses: { 200: jsonContent(NotificationPage, "A page of messages"), ...openApiErrorResponses },
});

export const notificationRoutes = router().openapi(listNotificationsRoute, async (c) => {
	const { cursor, limit } = c.req.valid("query");
	const after = decodeCursor<number>(cursor, "number");
	const rows = await listNotifications(records(c.env, c.get("shard")), c.get("tenantId"), { after, limit: limit + 1 });
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
});
