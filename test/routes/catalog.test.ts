import { describe, expect, it } from "vitest";
import { call, createTenant } from "../helpers";

type Page<T> = { data: T[]; nextCursor: string | null };

describe("catalog", () => {
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

	it("an id with a control character or only spaces is a 400 and creates nothing", async () => {
		const { apiKey } = await createTenant();
		const key = apiKey.key;
		for (const id of ["c%00", "%09", "a%0Ab", "%7F", "%C2%85", "%20%20", "%C2%A0"]) {
			const res = await call(`/v1/courses/${id}`, { method: "PUT", key, json: { title: "T" } });
			expect([id, res.status]).toEqual([id, 400]);
		}
		expect((await (await call("/v1/courses", { key })).json<Page<unknown>>()).data).toEqual([]);
		expect((await call("/v1/courses/a%20b", { method: "PUT", key, json: { title: "T" } })).status).toBe(200);
	});
});
