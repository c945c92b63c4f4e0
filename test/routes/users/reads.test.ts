import { describe, expect, it } from "vitest";
import { call, createKey, createTenant } from "../../helpers";

type Page<T> = { data: T[]; nextCursor: string | null };

describe("GET /v1/users", () => {
	it("lists users with cursor pagination and finds them by email case-insensitively", async () => {
		const { apiKey } = await createTenant();
		const viewer = await createKey(apiKey.key, "viewer");
		const users = Array.from({ length: 25 }, (_, i) => ({
			externalId: `u${String(i).padStart(2, "0")}`,
			email: `User${i}@Example.com`,
		}));
		await call("/v1/users/bulk", { method: "POST", key: apiKey.key, json: { users } });

		const seen: string[] = [];
		let cursor: string | null = null;
		do {
			const query: string = cursor ? `?limit=10&cursor=${cursor}` : "?limit=10";
			const page: Page<{ externalId: string }> = await (await call(`/v1/users${query}`, { key: viewer.key })).json();
			expect(page.data.length).toBeLessThanOrEqual(10);
			seen.push(...page.data.map((u) => u.externalId));
			cursor = page.nextCursor;
		} while (cursor);
		expect(seen).toEqual(users.map((u) => u.externalId));

		const byEmail = await (await call("/v1/users?email=user7@EXAMPLE.com", { key: viewer.key })).json<
			Page<{ externalId: string }>
		>();
		expect(byEmail.data.map((u) => u.externalId)).toEqual(["u07"]);
		expect((await call("/v1/users?cursor=garbage", { key: viewer.key })).status).toBe(400);
		expect((await call("/v1/users?limit=0", { key: viewer.key })).status).toBe(400);
	});

	it("another tenant's user is 404 and never listed", async () => {
		const a = await createTenant("A");
		const b = await createTenant("B");
		await call("/v1/users/bulk", {
			method: "POST",
			key: a.apiKey.key,
			json: { users: [{ externalId: "secret", email: "s@a.com" }] },
		});
		expect((await call("/v1/users/secret", { key: b.apiKey.key })).status).toBe(404);
		expect((await call("/v1/users/secret/enrollments", { key: b.apiKey.key })).status).toBe(404);
		const list = await (await call("/v1/users?email=s@a.com", { key: b.apiKey.key })).json<Page<unknown>>();
		expect(list.data).toEqual([]);
	});
});
