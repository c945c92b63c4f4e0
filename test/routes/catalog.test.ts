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
});
