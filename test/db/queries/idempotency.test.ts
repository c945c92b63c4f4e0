import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { db } from "../../../src/db/client";
import { releaseKey, reserveKey, storedResponse, storeResponse } from "../../../src/db/queries/idempotency";

const slot = (key: string) => ({ tenantId: "ten_idem", key, route: "POST /v1/users/bulk" });
const response = { bodyHash: "abc", status: 200, headers: { "Content-Type": "application/json" }, body: "{}" };

describe("idempotency key queries", () => {
	it("a key is reserved once; its response is stored for replay, and a failed request releases it", async () => {
		const database = db(env);
		expect(await reserveKey(database, slot("k1"), 1_000, 0)).toBe(true);
		expect(await reserveKey(database, slot("k1"), 1_001, 0)).toBe(false);
		expect(await storedResponse(database, slot("k1"))).toBeUndefined();
		await storeResponse(database, slot("k1"), response);
		expect(await storedResponse(database, slot("k1"))).toEqual(response);
		expect(await reserveKey(database, { ...slot("k1"), route: "POST /v1/imports" }, 1_002, 0)).toBe(true);

		expect(await reserveKey(database, slot("k2"), 1_000, 0)).toBe(true);
		await releaseKey(database, slot("k2"));
		expect(await reserveKey(database, slot("k2"), 1_003, 0)).toBe(true);
	});

	it("a reservation older than the cut-off gives way to a new one", async () => {
		const database = db(env);
		expect(await reserveKey(database, slot("old"), 1_000, 0)).toBe(true);
		await storeResponse(database, slot("old"), response);
		expect(await reserveKey(database, slot("old"), 90_000, 50_000)).toBe(true);
		expect(await storedResponse(database, slot("old"))).toBeUndefined();
	});
});
