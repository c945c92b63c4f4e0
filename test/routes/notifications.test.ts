import { describe, expect, it } from "vitest";
import { call, createTenant } from "../helpers";

type Page = { data: { externalId: string; kind: string; inviteMessage: string | null }[]; nextCursor: string | null };

describe("GET /v1/notifications", () => {
	it("lists the welcome messages of created users oldest first, a page at a time, to their tenant only", async () => {
		const { apiKey } = await createTenant();
		const key = apiKey.key;
		const users = ["w1", "w2", "w3"].map((externalId) => ({ externalId }));
		const options = { sendWelcomeEmail: true, inviteMessage: "Hello" };
		await call("/v1/users/bulk", { method: "POST", key, json: { users, options } });

		const first = await (await call("/v1/notifications?limit=2", { key })).json<Page>();
		expect(first.data).toEqual([
			expect.objectContaining({ externalId: "w1", kind: "welcome", inviteMessage: "Hello" }),
			expect.objectContaining({ externalId: "w2" }),
		]);
		const rest = await (await call(`/v1/notifications?cursor=${first.nextCursor}`, { key })).json<Page>();
		expect(rest.data.map((n) => n.externalId)).toEqual(["w3"]);
		expect(rest.nextCursor).toBeNull();

		const other = await createTenant("Other");
		expect((await (await call("/v1/notifications", { key: other.apiKey.key })).json<Page>()).data).toEqual([]);
	});
});
