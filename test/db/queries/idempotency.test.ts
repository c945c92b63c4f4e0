import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { db } from "../../../src/db/client";
import { keyUse, releaseKey, renewKey, reserveKey, storeResponse } from "../../../src/db/queries/idempotency";

const slot = (key: string, route = "POST /v1/users/bulk") => ({ tenantId: "ten_idem", key, route });
const response = { bodyHash: "abc", status: 200, headers: { "Content-Type": "application/json" }, body: "{}" };
const at = (now: number, expiredBefore = 0) => ({ now, leaseUntil: now + 60_000, expiredBefore });

describe("idempotency key queries", () => {
	it("a key is reserved once; its response is stored for replay, and a failed request releases it", async () => {
		const database = db(env);
		expect(await reserveKey(database, slot("k1"), "a", "abc", at(1_000))).toEqual({ held: true, earlierHash: "" });
		expect(await reserveKey(database, slot("k1"), "b", "abc", at(1_001))).toEqual({ held: false });
		expect(await keyUse(database, slot("k1"))).toEqual({ route: "POST /v1/users/bulk", bodyHash: "abc" });
		await storeResponse(database, slot("k1"), "a", response);
		expect((await keyUse(database, slot("k1")))?.response).toEqual(response);
		// A key names one request: the same key on another path is the first request's key still.
		expect(await reserveKey(database, slot("k1", "POST /v1/imports"), "c", "", at(1_002))).toEqual({ held: false });

		expect((await reserveKey(database, slot("k2"), "a", "", at(1_000))).held).toBe(true);
		await releaseKey(database, slot("k2"), "a");
		expect((await reserveKey(database, slot("k2"), "b", "", at(1_003))).held).toBe(true);
	});

	it("a reservation older than the cut-off gives way to a new one", async () => {
		const database = db(env);
		expect((await reserveKey(database, slot("old"), "a", "abc", at(1_000))).held).toBe(true);
		await storeResponse(database, slot("old"), "a", response);
		expect((await reserveKey(database, slot("old"), "b", "", at(90_000, 50_000))).held).toBe(true);
		expect((await keyUse(database, slot("old")))?.response).toBeUndefined();
	});

	it("a running request's renewals keep its key; once its lease runs out, the same request takes it over", async () => {
		const database = db(env);
		const t0 = 1_000_000;
		expect((await reserveKey(database, slot("r"), "running", "h", at(t0))).held).toBe(true);
		expect(await renewKey(database, slot("r"), "running", t0 + 120_000)).toBe(true);
		expect((await reserveKey(database, slot("r"), "other", "h", at(t0 + 100_000))).held).toBe(false);
		expect(await reserveKey(database, slot("r"), "other", "h", at(t0 + 120_001))).toEqual({
			held: true,
			earlierHash: "h",
		});
		expect(await renewKey(database, slot("r"), "running", t0 + 200_000)).toBe(false);
	});
});
