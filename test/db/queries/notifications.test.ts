import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { db, records } from "../../../src/db/client";
import { listNotifications } from "../../../src/db/queries/notifications";
import { deleteWebhook, findWebhook, putWebhook } from "../../../src/db/queries/webhooks";
import { notifications } from "../../../src/db/schema";

describe("notification and webhook queries", () => {
	it("pages a tenant's welcome messages in creation order", async () => {
		const database = records(env, 0);
		const welcome = (tenantId: string, userId: number) => ({
			tenantId,
			userId,
			kind: "welcome" as const,
			externalId: `u${userId}`,
			createdAt: "2026-01-01T00:00:00Z",
		});
		await database.insert(notifications).values([welcome("ten_n", 1), welcome("ten_x", 2), welcome("ten_n", 3)]);
		const first = await listNotifications(database, "ten_n", { limit: 1 });
		expect(first.map((n) => n.externalId)).toEqual(["u1"]);
		const rest = await listNotifications(database, "ten_n", { after: first[0]!.id, limit: 10 });
		expect(rest.map((n) => n.externalId)).toEqual(["u3"]);
	});

	it("a tenant has at most one webhook: a second put replaces it, and delete removes it", async () => {
		const database = db(env);
		await putWebhook(database, { tenantId: "ten_w", url: "https://a.example", secret: "s1", updatedAt: "t1" });
		await putWebhook(database, { tenantId: "ten_w", url: "https://b.example", secret: "s2", updatedAt: "t2" });
		expect(await findWebhook(database, "ten_w")).toEqual({
			tenantId: "ten_w",
			url: "https://b.example",
			secret: "s2",
			updatedAt: "t2",
		});
		expect(await findWebhook(database, "ten_none")).toBeUndefined();
		await deleteWebhook(database, "ten_w");
		expect(await findWebhook(database, "ten_w")).toBeUndefined();
	});
});
