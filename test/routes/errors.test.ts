import { describe, expect, it } from "vitest";
import { call, createTenant, OPERATOR_KEY } from "../helpers";

type Envelope = {
	error: { code: string; message: string; requestId: string; details?: { path: string; message: string }[] };
};

describe("one error envelope", () => {
	it("malformed JSON is a 400 VALIDATION_ERROR envelope", async () => {
		const res = await call("/v1/tenants", {
			method: "POST",
			headers: { Authorization: `Bearer ${OPERATOR_KEY}`, "Content-Type": "application/json" },
			body: '{"name": "Acme",',
		});
		expect(res.status).toBe(400);
		const body = await res.json<Envelope>();
		expect(body.error.code).toBe("VALIDATION_ERROR");
		expect(body.error.requestId).toBe(res.headers.get("X-Request-Id"));
	});

	it("a wrong content type is 415", async () => {
		const res = await call("/v1/tenants", {
			method: "POST",
			headers: { Authorization: `Bearer ${OPERATOR_KEY}`, "Content-Type": "text/plain" },
			body: JSON.stringify({ name: "Acme" }),
		});
		expect(res.status).toBe(415);
		expect((await res.json<Envelope>()).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
	});

	it("schema failures name the path, and unknown fields are rejected", async () => {
		const res = await call("/v1/tenants", {
			method: "POST",
			key: OPERATOR_KEY,
			json: { name: "", limits: { burst: "lots" }, color: "red" },
		});
		expect(res.status).toBe(400);
		const body = await res.json<Envelope>();
		const paths = body.error.details!.map((d) => d.path);
		expect(paths).toEqual(expect.arrayContaining(["name", "limits.burst"]));
		expect(JSON.stringify(body.error.details)).toContain("color");
	});

	it("an invalid role is a 400 naming the field", async () => {
		const { apiKey } = await createTenant();
		const res = await call("/v1/api-keys", { method: "POST", key: apiKey.key, json: { name: "x", role: "owner" } });
		expect(res.status).toBe(400);
		expect((await res.json<Envelope>()).error.details![0]!.path).toBe("role");
	});

	it("unknown routes are 404 envelopes and every response has a request id", async () => {
		const res = await call("/v1/nothing-here");
		expect(res.status).toBe(404);
		expect((await res.json<Envelope>()).error.code).toBe("NOT_FOUND");
		expect(res.headers.get("X-Request-Id")).toMatch(/^[\w-]{8,}$/);
		expect((await call("/v1/health")).headers.get("X-Request-Id")).toBeTruthy();
	});

	it("a PATCH of an unknown tenant is 404", async () => {
		const res = await call("/v1/tenants/ten_missing", {
			method: "PATCH",
			key: OPERATOR_KEY,
			json: { limits: { burst: 5 } },
		});
		expect(res.status).toBe(404);
	});
});

describe("documentation", () => {
	it("serves an OpenAPI 3.1 document covering every route, and a rendered reference", async () => {
		const doc = await (await call("/openapi.json")).json<{ openapi: string; paths: Record<string, object> }>();
		expect(doc.openapi).toBe("3.1.0");
		expect(Object.keys(doc.paths)).toEqual(
			expect.arrayContaining(["/v1/health", "/v1/tenants", "/v1/tenants/{id}", "/v1/api-keys", "/v1/api-keys/{id}"]),
		);
		const docs = await call("/docs");
		expect(docs.status).toBe(200);
		expect(await docs.text()).toContain("/openapi.json");
	});
});
