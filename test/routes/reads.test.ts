import { describe, expect, it } from "vitest";
import { call, createKey, createTenant } from "../helpers";

type Page<T> = { data: T[]; nextCursor: string | null };

describe("reads", () => {
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

	it("catalog items upsert by id and list per kind", async () => {
		const { apiKey } = await createTenant();
		const key = apiKey.key;
		await call("/v1/courses/c2", { method: "PUT", key, json: { title: "Two" } });
		await call("/v1/courses/c1", { method: "PUT", key, json: { title: "One" } });
		const renamed = await call("/v1/courses/c1", { method: "PUT", key, json: { title: "One, renamed" } });
		expect(await renamed.json()).toMatchObject({ id: "c1", kind: "course", title: "One, renamed" });
		await call("/v1/licenses/l1", { method: "PUT", key, json: { title: "Seat" } });
		const courses = await (await call("/v1/courses", { key })).json<Page<{ id: string; title: string }>>();
		expect(courses.data.map((c) => [c.id, c.title])).toEqual([
			["c1", "One, renamed"],
			["c2", "Two"],
		]);
		const licenses = await (await call("/v1/licenses", { key })).json<Page<{ id: string }>>();
		expect(licenses.data.map((l) => l.id)).toEqual(["l1"]);
		expect((await call("/v1/bundles/b1", { method: "PUT", key, json: { title: "" } })).status).toBe(400);
	});
});

describe("Idempotency-Key", () => {
	it("the same key and body replays the first response; another body is a 409", async () => {
		const { apiKey } = await createTenant();
		const send = (users: unknown[]) =>
			call("/v1/users/bulk", {
				method: "POST",
				key: apiKey.key,
				json: { users },
				headers: { "Idempotency-Key": "sync-42" },
			});
		const first = await send([{ externalId: "a" }]);
		const firstBody = await first.json();
		expect(firstBody).toMatchObject({ created: 1 });
		const replay = await send([{ externalId: "a" }]);
		expect(replay.status).toBe(200);
		expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
		expect(await replay.json()).toEqual(firstBody);
		const other = await send([{ externalId: "b" }]);
		expect(other.status).toBe(409);
		expect((await other.json<{ error: { code: string } }>()).error.code).toBe("CONFLICT");
		expect((await call("/v1/users/b", { key: apiKey.key })).status).toBe(404);
	});

	it("a request that failed validation does not burn its key", async () => {
		const { apiKey } = await createTenant();
		const send = (options: unknown) =>
			call("/v1/users/bulk", {
				method: "POST",
				key: apiKey.key,
				json: { users: [{ externalId: "a" }], options },
				headers: { "Idempotency-Key": "k" },
			});
		expect((await send({ upsert: "no" })).status).toBe(400);
		expect((await send({ upsert: false })).status).toBe(200);
	});
});
