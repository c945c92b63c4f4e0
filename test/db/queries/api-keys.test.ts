import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { db } from "../../../src/db/client";
import { findKey, insertKey, listKeys, revokeKey } from "../../../src/db/queries/api-keys";
import { insertTenant } from "../../../src/db/queries/tenants";

async function tenantWithKeys(names: string[]) {
	const database = db(env);
	const tenantId = `ten_${crypto.randomUUID()}`;
	await insertTenant(database, { id: tenantId, name: "T", limits: { burst: 7 }, createdAt: "2026-01-01T00:00:00Z" });
	const ids = [];
	for (const [i, name] of names.entries()) {
		const id = `key_${crypto.randomUUID()}`;
		const createdAt = `2026-01-0${i + 1}T00:00:00Z`;
		await insertKey(database, { id, tenantId, name, role: "admin", secretHash: "h", createdAt });
		ids.push(id);
	}
	return { database, tenantId, ids };
}

describe("api key queries", () => {
	it("a key is found with its tenant's limits, and revoking it twice keeps the first time", async () => {
		const { database, tenantId, ids } = await tenantWithKeys(["ci"]);
		const id = ids[0]!;
		expect(await findKey(database, id)).toMatchObject({ key: { id, tenantId, revokedAt: null }, limits: { burst: 7 } });
		expect(await revokeKey(database, tenantId, id, "2026-02-01T00:00:00Z")).toBe(true);
		expect(await revokeKey(database, tenantId, id, "2026-03-01T00:00:00Z")).toBe(true);
		expect((await findKey(database, id))?.key.revokedAt).toBe("2026-02-01T00:00:00Z");
		expect(await findKey(database, "key_missing")).toBeUndefined();
	});

	it("lists a tenant's keys newest first without their hashes, and another tenant can neither see nor revoke them", async () => {
		const a = await tenantWithKeys(["first", "second"]);
		const b = await tenantWithKeys([]);
		const listed = await listKeys(a.database, a.tenantId);
		expect(listed.map((k) => k.name)).toEqual(["second", "first"]);
		expect(Object.keys(listed[0]!).sort()).toEqual(["createdAt", "id", "name", "revokedAt", "role"]);
		expect(await listKeys(b.database, b.tenantId)).toEqual([]);
		expect(await revokeKey(b.database, b.tenantId, a.ids[0]!, "2026-02-01T00:00:00Z")).toBe(false);
		expect((await findKey(a.database, a.ids[0]!))?.key.revokedAt).toBeNull();
	});
});
