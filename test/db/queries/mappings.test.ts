import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { db } from "../../../src/db/client";
import { deleteMapping, findMapping, listMappings, upsertMapping } from "../../../src/db/queries/mappings";

const database = () => db(env);

describe("mapping profile queries", () => {
	it("a profile replaced keeps its createdAt and takes the new type and columns", async () => {
		const tenantId = `t_${crypto.randomUUID()}`;
		await upsertMapping(
			database(),
			{ tenantId, name: "p", type: "users", columns: { A: "email" } },
			"2026-01-01T00:00:00Z",
		);
		const replaced = await upsertMapping(
			database(),
			{ tenantId, name: "p", type: "companies", columns: { B: "name" } },
			"2026-01-02T00:00:00Z",
		);
		expect(replaced).toMatchObject({
			type: "companies",
			columns: { B: "name" },
			createdAt: "2026-01-01T00:00:00Z",
			updatedAt: "2026-01-02T00:00:00Z",
		});
		expect(await findMapping(database(), tenantId, "p")).toEqual(replaced);
	});

	it("lists one tenant's profiles by name, and deletes only what exists", async () => {
		const tenantId = `t_${crypto.randomUUID()}`;
		const other = `t_${crypto.randomUUID()}`;
		for (const [tenant, name] of [
			[tenantId, "b"],
			[tenantId, "a"],
			[other, "c"],
		] as const) {
			await upsertMapping(database(), { tenantId: tenant, name, type: "users", columns: {} }, "2026-01-01T00:00:00Z");
		}
		expect((await listMappings(database(), tenantId)).map((p) => p.name)).toEqual(["a", "b"]);
		expect(await deleteMapping(database(), tenantId, "c")).toBe(false);
		expect(await deleteMapping(database(), tenantId, "a")).toBe(true);
		expect(await findMapping(database(), tenantId, "a")).toBeUndefined();
		expect(await findMapping(database(), other, "c")).toBeDefined();
	});
});
