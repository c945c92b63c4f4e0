import { describe, expect, it } from "vitest";
import { call, createKey, createTenant } from "../helpers";

type Profile = { name: string; type: string; columns: Record<string, string>; createdAt: string; updatedAt: string };
type ErrorBody = { error: { code: string; message: string; details?: { path: string; message: string }[] } };

describe("/v1/mappings", () => {
	it("an admin saves, replaces and deletes a profile; a viewer reads and lists them", async () => {
		const { apiKey } = await createTenant();
		const viewer = (await createKey(apiKey.key, "viewer")).key;
		const admin = (await createKey(apiKey.key, "admin")).key;
		const columns = { "E-mail": "email", "Employee ID": "user_id", Dept: "custom.department" };
		const put = await call("/v1/mappings/workday", { method: "PUT", key: admin, json: { type: "users", columns } });
		expect(put.status).toBe(200);
		const saved = await put.json<Profile>();
		expect(saved).toMatchObject({ name: "workday", type: "users", columns });

		const replaced = await call("/v1/mappings/workday", {
			method: "PUT",
			key: admin,
			json: { type: "users", columns: { Mail: "email" } },
		});
		expect(await replaced.json<Profile>()).toMatchObject({ columns: { Mail: "email" }, createdAt: saved.createdAt });
		await call("/v1/mappings/accounts", {
			method: "PUT",
			key: admin,
			json: { type: "companies", columns: { Org: "companyId" } },
		});

		expect(await (await call("/v1/mappings/workday", { key: viewer })).json<Profile>()).toMatchObject({
			columns: { Mail: "email" },
		});
		const list = await (await call("/v1/mappings", { key: viewer })).json<{ data: Profile[] }>();
		expect(list.data.map((p) => [p.name, p.type])).toEqual([
			["accounts", "companies"],
			["workday", "users"],
		]);
		expect(
			(await call("/v1/mappings/workday", { method: "PUT", key: viewer, json: { type: "users", columns } })).status,
		).toBe(403);

		expect((await call("/v1/mappings/workday", { method: "DELETE", key: admin })).status).toBe(204);
		expect((await call("/v1/mappings/workday", { key: viewer })).status).toBe(404);
		expect((await call("/v1/mappings/workday", { method: "DELETE", key: admin })).status).toBe(404);
	});

	it("a target that is not a field of the type is a 400 naming it and suggesting the closest", async () => {
		const { apiKey } = await createTenant();
		const res = await call("/v1/mappings/bad", {
			method: "PUT",
			key: apiKey.key,
			json: { type: "companies", columns: { Org: "companyid", Label: "nmae", Extra: "custom.x", Whatever: "zzz" } },
		});
		expect(res.status).toBe(400);
		const { error } = await res.json<ErrorBody>();
		expect(error.code).toBe("VALIDATION_ERROR");
		expect(error.details).toEqual([
			{ path: "columns.Label", message: '"nmae" is not a field of companies; did you mean "name"?' },
			{ path: "columns.Extra", message: '"custom.x" is not a field of companies' },
			{ path: "columns.Whatever", message: '"zzz" is not a field of companies' },
		]);
		expect(error.message).toContain('"nmae" is not a field of companies; did you mean "name"?');
		expect((await call("/v1/mappings/bad", { key: apiKey.key })).status).toBe(404);
	});

	it("names are checked, and one tenant's profiles are not another's", async () => {
		const a = await createTenant("A");
		const b = await createTenant("B");
		const json = { type: "users", columns: { Mail: "email" } };
		expect((await call("/v1/mappings/has%20space", { method: "PUT", key: a.apiKey.key, json })).status).toBe(400);
		expect((await call("/v1/mappings/shared", { method: "PUT", key: a.apiKey.key, json })).status).toBe(200);
		expect((await call("/v1/mappings/shared", { key: b.apiKey.key })).status).toBe(404);
		expect((await (await call("/v1/mappings", { key: b.apiKey.key })).json<{ data: unknown[] }>()).data).toEqual([]);
	});
});
