import { z } from "@hono/zod-openapi";
import { page } from "./common";

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

export const NotificationPage = page(Notification);

export const WebhookBody = z.strictObject({
	url: z.string().url().max(2048),
	secret: z.string().min(16, "use a secret of at least 16 characters").max(256),
});

export const Webhook = z.object({ url: z.string(), updatedAt: z.string() }).openapi("Webhook");
