import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { records } from "../../../src/db/client";
import { existingItemIds, listItems, upsertItem } from "../../../src/db/queries/catalog";

describe("catalog queries", () => {
	it("an upsert renames an item and keeps when it was created", async () => {
		const database = records(env, 0);
		const item = { tenantId: "ten_cat", kind: "course" as const, id: "c1", title: "One" };
		await upsertItem(database, item, "2026-01-01T00:00:00Z");
		const renamed = await upsertItem(database, { ...item, title: "Uno" }, "2026-02-01T00:00:00Z");
		expect(renamed).toMatchObject({
			title: "Uno",
			createdAt: "2026-01-01T00:00:00Z",
			updatedAt: "2026-02-01T00:00:00Z",
		});
	});

	it("lists and checks items per kind and tenant", async () => {
		const database = records(env, 0);
		const now = "2026-01-01T00:00:00Z";
		for (const id of ["b", "a", "c"])
			await upsertItem(database, { tenantId: "ten_kinds", kind: "bundle", id, title: id }, now);
		await upsertItem(database, { tenantId: "ten_kinds", kind: "license", id: "a", title: "seat" }, now);
		await upsertItem(database, { tenantId: "ten_else", kind: "bundle", id: "z", title: "z" }, now);
		expect((await listItems(database, "ten_kinds", "bundle", { limit: 10 })).map((i) => i.id)).toEqual(["a", "b", "c"]);
		expect((await listItems(database, "ten_kinds", "bundle", { after: "a", limit: 1 })).map((i) => i.id)).toEqual([
			"b",
		]);
		const known = await existingItemIds(database, "ten_kinds", "bundle", ["a", "z", "q"]);
		expect([...known]).toEqual(["a"]);
	});
});
