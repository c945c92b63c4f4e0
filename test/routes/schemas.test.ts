import { Validator } from "@cfworker/json-schema";
import { describe, expect, it } from "vitest";
import { call, countRows, createTenant, type JobView, upload, waitForJob } from "../helpers";

describe("GET /v1/schemas/:type", () => {
	it("is the JSON Schema of a record, generated from the schema imports validate with", async () => {
		const { apiKey } = await createTenant();
		const res = await call("/v1/schemas/users", { key: apiKey.key });
		expect(res.status).toBe(200);
		const schema = await res.json<Record<string, unknown> & { properties: Record<string, unknown> }>();
		expect(schema).toMatchObject({
			$schema: "https://json-schema.org/draft/2020-12/schema",
			type: "object",
			additionalProperties: false,
			"x-aliases": { externalId: ["userId", "user_id"] },
		});
		expect(Object.keys(schema.properties)).toEqual([
			"externalId",
			"email",
			"firstName",
			"lastName",
			"companyId",
			"role",
			"clientId",
			"status",
			"customFields",
			"metadata",
		]);
		const validator = new Validator(schema as never, "2020-12");
		expect(validator.validate({ externalId: "e1", email: "a@example.com", metadata: { plan: "pro" } }).valid).toBe(
			true,
		);
		expect(validator.validate({ externalId: "e1", shoeSize: 42 }).valid).toBe(false);
		expect(validator.validate({ externalId: "e1", email: "not an email" }).valid).toBe(false);

		const enrollments = await (await call("/v1/schemas/enrollments", { key: apiKey.key })).json<{
			properties: object;
		}>();
		expect(Object.keys(enrollments.properties)).toContain("learningPathId");
		expect((await call("/v1/schemas/widgets", { key: apiKey.key })).status).toBe(400);
	});
});

describe("GET /v1/templates/:type.csv", () => {
	it("is the header row of the import columns and one example row", async () => {
		const { apiKey } = await createTenant();
		const res = await call("/v1/templates/users.csv", { key: apiKey.key });
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
		const [header, example, end] = (await res.text()).split("\r\n");
		expect(header).toBe(
			"externalId,email,firstName,lastName,companyId,role,clientId,status,custom.department,metadata.plan",
		);
		expect(example).toBe("emp_001,ada@example.com,Ada,Lovelace,acme,learner,,active,Engineering,pro");
		expect(end).toBe("");
		expect((await call("/v1/templates/users.json", { key: apiKey.key })).status).toBe(400);
	});

	it("each template imports back as it is", async () => {
		const { tenant, apiKey } = await createTenant();
		const key = apiKey.key;
		await call("/v1/courses/crs_intro", { method: "PUT", key, json: { title: "Intro" } });
		for (const type of ["companies", "users", "enrollments"] as const) {
			const template = await (await call(`/v1/templates/${type}.csv`, { key })).text();
			const res = await upload(key, `type=${type}`, template, { "Content-Type": "text/csv" });
			expect(res.status, await res.clone().text()).toBe(202);
			const job = await waitForJob(key, (await res.json<JobView>()).id);
			expect(job.counts, type).toMatchObject({ total: 1, created: 1, failed: 0 });
			expect(await countRows(type, tenant.id)).toBe(1);
		}
		expect(await (await call("/v1/users/emp_001", { key })).json()).toMatchObject({
			email: "ada@example.com",
			customFields: { department: "Engineering" },
			metadata: { plan: "pro" },
		});
	});
});
