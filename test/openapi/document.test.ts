import { describe, expect, it } from "vitest";
import { type OpenApiDocument, served } from "./contract";

type Operation = {
	operationId?: string;
	parameters?: { name: string; in: string }[];
	requestBody?: { content: Record<string, { schema?: object }> };
	responses: Record<string, { content?: Record<string, { schema?: object }> }>;
};

async function operations() {
	const { doc } = await served();
	const paths = doc.paths as unknown as Record<string, Record<string, Operation>>;
	const ops = Object.entries(paths).flatMap(([path, methods]) =>
		Object.entries(methods).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, method, op })),
	);
	return { doc, ops, byId: new Map(ops.map((o) => [o.op.operationId, o.op])) };
}

/** Every key of a JSON value, at any depth. */
const keys = (value: unknown): string[] =>
	typeof value === "object" && value !== null ? Object.entries(value).flatMap(([k, v]) => [k, ...keys(v)]) : [];

describe("the OpenAPI document", () => {
	it("is JSON Schema throughout: no zod internals", async () => {
		const { doc } = await served();
		expect(keys(doc)).not.toContain("def");
		expect(keys(doc)).not.toContain("_zod");
	});

	it("gives every operation a unique operationId and a 500", async () => {
		const { ops } = await operations();
		const ids = ops.map((o) => o.op.operationId);
		expect(ids.filter((id) => !id)).toEqual([]);
		expect(new Set(ids).size).toBe(ids.length);
		expect(ops.filter((o) => !o.op.responses["500"]).map((o) => o.key)).toEqual([]);
	});

	it("gives every body it sends or takes a schema, for each media type", async () => {
		const { ops } = await operations();
		const missing = ops.flatMap(({ key, op }) => [
			...Object.entries(op.requestBody?.content ?? {}).flatMap(([type, m]) => (m.schema ? [] : [`${key} ${type}`])),
			...Object.entries(op.responses).flatMap(([status, r]) =>
				Object.entries(r.content ?? {}).flatMap(([type, m]) => (m.schema ? [] : [`${key} ${status} ${type}`])),
			),
		]);
		expect(missing).toEqual([]);
	});

	it("types an import, its polling and its reports, as a generated client needs them", async () => {
		const { byId } = await operations();
		const importFile = byId.get("importFile")!;
		expect(Object.keys(importFile.requestBody!.content)).toEqual([
			"application/x-ndjson",
			"application/jsonl",
			"text/csv",
			"multipart/form-data",
		]);
		const job = { $ref: "#/components/schemas/Job" };
		expect(importFile.responses["202"]!.content!["application/json"]!.schema).toEqual(job);
		expect(byId.get("getJob")!.responses["200"]!.content!["application/json"]!.schema).toEqual(job);
		expect(byId.get("completeUpload")!.responses["202"]!.content!["application/json"]!.schema).toEqual(job);
		const errors = byId.get("getJobErrors")!.responses["200"]!.content!;
		expect(errors["application/x-ndjson"]!.schema).toEqual({ $ref: "#/components/schemas/ErrorReportRow" });
		expect(Object.keys(errors)).toContain("text/csv");
	});

	it("describes record fields with their limits and the seeds' aliases", async () => {
		const { doc } = await served();
		const user = doc.components.schemas.UserRecord as { properties: Record<string, Record<string, unknown>> };
		expect(user.properties.externalId).toMatchObject({ type: "string", minLength: 1, maxLength: 255 });
		expect(user.properties.email).toMatchObject({ maxLength: 254, pattern: "^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$" });
		expect(user.properties.user_id).toMatchObject({ type: "string", maxLength: 255 });
		const { byId } = await operations();
		const body = byId.get("bulkUsers")!.requestBody!.content["application/json"]!.schema as {
			properties: { users: object };
		};
		expect(body.properties.users).toMatchObject({
			items: { $ref: "#/components/schemas/UserRecord" },
			maxItems: 10_000,
		});
	});

	it("takes Idempotency-Key on every POST that starts a job or writes records", async () => {
		const { ops } = await operations();
		const writes = ops.filter(({ method, op }) => method === "post" && (op.responses["202"] || op.responses["200"]));
		const without = writes.filter(
			({ op }) => !op.parameters?.some((p) => p.name === "Idempotency-Key" && p.in === "header"),
		);
		// Cancelling neither starts a job nor writes records; a second move of a tenant is refused (409) while
		// one runs, so a move's retried request cannot start two.
		expect(without.map((o) => o.key).sort()).toEqual(["POST /v1/jobs/{id}/cancel", "POST /v1/tenants/{id}/move"]);
	});

	it("documents the job webhook", async () => {
		const { doc } = await served();
		const webhooks = (doc as OpenApiDocument & { webhooks: Record<string, Record<string, Operation>> }).webhooks;
		expect(webhooks.jobEnded!.post!.requestBody!.content["application/json"]!.schema).toEqual({
			$ref: "#/components/schemas/JobEvent",
		});
	});
});
