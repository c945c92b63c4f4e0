import { describe, expect, it } from "vitest";
import { call, createKey, createTenant } from "../helpers";

const SECRET = "a-secret-of-at-least-16";

describe("/v1/webhook", () => {
	it("is set, read without its secret, replaced and removed", async () => {
		const { apiKey } = await createTenant();
		const key = apiKey.key;
		const viewer = await createKey(key, "viewer");
		const put = (url: string) => call("/v1/webhook", { method: "PUT", key, json: { url, secret: SECRET } });

		expect((await call("/v1/webhook", { key })).status).toBe(404);
		const set = await put("https://hooks.example.com/first");
		expect(set.status).toBe(200);
		expect(await set.json()).toEqual({ url: "https://hooks.example.com/first", updatedAt: expect.any(String) });
		await put("https://hooks.example.com/second");
		const read = await call("/v1/webhook", { key: viewer.key });
		const text = await read.text();
		expect(JSON.parse(text)).toMatchObject({ url: "https://hooks.example.com/second" });
		expect(text).not.toContain(SECRET);

		expect((await call("/v1/webhook", { method: "DELETE", key })).status).toBe(204);
		expect((await call("/v1/webhook", { key })).status).toBe(404);
	});

	it("refuses a short secret and a URL that is not http(s)", async () => {
		const { apiKey } = await createTenant();
		const send = (json: object) => call("/v1/webhook", { method: "PUT", key: apiKey.key, json });
		expect((await send({ url: "https://hooks.example.com/x", secret: "short" })).status).toBe(400);
		expect((await send({ url: "ftp://hooks.example.com/x", secret: SECRET })).status).toBe(400);
		expect((await call("/v1/webhook", { key: apiKey.key })).status).toBe(404);
	});
});
