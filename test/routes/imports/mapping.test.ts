import { describe, expect, inject, it } from "vitest";
import { call, countRows, createTenant, type JobView, upload, waitForJob } from "../../helpers";

const CSV = { "Content-Type": "text/csv" };
type ErrorBody = { error: { code: string; message: string; details?: { path: string; message: string }[] } };
type User = { externalId: string; email: string; firstName?: string; customFields?: object; metadata?: object };

const { origin } = inject("loopback");
const served = (body: string) => `${origin}/file?${new URLSearchParams({ body, type: "text/csv" })}`;

const user = async (key: string, id: string) => (await call(`/v1/users/${id}`, { key })).json<User>();

async function imported(key: string, res: Response): Promise<JobView> {
	expect(res.status, await res.clone().text()).toBe(202);
	return waitForJob(key, (await res.json<JobView>()).id);
}

const saveProfile = (key: string, name: string, body: object) =>
	call(`/v1/mappings/${name}`, { method: "PUT", key, json: body });

describe("CSV headers without a mapping", () => {
	it('"E-mail, Employee ID, First Name" import as email, externalId and firstName', async () => {
		const { tenant, apiKey } = await createTenant();
		const file = "E-mail,Employee ID,First Name,Surname,Company\nann@example.com,E1,Ann,Lee,acme\n";
		const job = await imported(apiKey.key, await upload(apiKey.key, "type=users", file, CSV));
		expect(job.counts).toMatchObject({ total: 1, created: 1, failed: 0 });
		expect(await countRows("users", tenant.id)).toBe(1);
		expect(await user(apiKey.key, "E1")).toMatchObject({
			email: "ann@example.com",
			firstName: "Ann",
			lastName: "Lee",
			companyId: "acme",
		});
	});

	it("an unknown header is a 400 naming it and the closest field; nothing is imported", async () => {
		const { tenant, apiKey } = await createTenant();
		const res = await upload(apiKey.key, "type=users", "Emial,Frist Name,Shoe size\na@example.com,A,42\n", CSV);
		expect(res.status).toBe(400);
		const { error } = await res.json<ErrorBody>();
		expect(error.code).toBe("VALIDATION_ERROR");
		expect(error.message).toBe(
			'Unknown CSV column(s): "Emial" (did you mean "email"?), "Frist Name" (did you mean "firstName"?), "Shoe size"',
		);
		expect(await countRows("users", tenant.id)).toBe(0);
	});
});

describe("an explicit mapping", () => {
	it("as JSON in the query string maps columns to fields, custom. and metadata. keys", async () => {
		const { apiKey } = await createTenant();
		const mapping = JSON.stringify({
			Mail: "email",
			Badge: "externalId",
			Dept: "custom.department",
			Tier: "metadata.tier",
		});
		const file = "Badge,Mail,Dept,Tier\nB7,bo@example.com,Sales,gold\n";
		const res = await upload(apiKey.key, `type=users&mapping=${encodeURIComponent(mapping)}`, file, CSV);
		expect((await imported(apiKey.key, res)).counts).toMatchObject({ created: 1, failed: 0 });
		expect(await user(apiKey.key, "B7")).toMatchObject({
			email: "bo@example.com",
			customFields: { department: "Sales" },
			metadata: { tier: "gold" },
		});
	});

	it("as a multipart field before the file; a field after the file is a 400", async () => {
		const { apiKey } = await createTenant();
		const form = (order: "before" | "after") => {
			const body = new FormData();
			// Headers that need no mapping, so that only the late field can be what is refused.
			const text = order === "before" ? "Badge,Mail\nM1,mo@example.com\n" : "user_id,email\nM2,m2@example.com\n";
			const file = new File([text], "people.csv", { type: "text/csv" });
			if (order === "after") body.append("file", file);
			body.append("mapping", JSON.stringify({ Badge: "user_id", Mail: "email" }));
			if (order === "before") body.append("file", file);
			return body;
		};
		const res = await call("/v1/imports?type=users", { method: "POST", key: apiKey.key, body: form("before") });
		expect((await imported(apiKey.key, res)).counts).toMatchObject({ created: 1, failed: 0 });
		expect(await user(apiKey.key, "M1")).toMatchObject({ email: "mo@example.com" });

		const late = await call("/v1/imports?type=users", { method: "POST", key: apiKey.key, body: form("after") });
		expect(late.status).toBe(400);
		expect((await late.json<ErrorBody>()).error.message).toContain('field "mapping" must come before field "file"');
	});

	it("errors of a mapped column name the header cell as the column", async () => {
		const { apiKey } = await createTenant();
		const mapping = encodeURIComponent(JSON.stringify({ Mail: "email" }));
		const res = await upload(apiKey.key, `type=users&mapping=${mapping}`, "id,Mail\nx1,not-an-email\n", CSV);
		const job = await imported(apiKey.key, res);
		expect(job.counts).toMatchObject({ failed: 1 });
		const [row] = (await (await call(job.links.errors, { key: apiKey.key })).text()).trim().split("\n");
		expect(JSON.parse(row!)).toMatchObject({ line: 2, field: "email", column: "Mail", error: "Invalid email format" });
	});

	it("a target that is no field is a 400 naming it and the closest field", async () => {
		const { apiKey } = await createTenant();
		const mapping = encodeURIComponent(JSON.stringify({ Mail: "emial", id: "externalId" }));
		const res = await upload(apiKey.key, `type=users&mapping=${mapping}`, "id,Mail\nx1,x@example.com\n", CSV);
		expect(res.status).toBe(400);
		const { error } = await res.json<ErrorBody>();
		expect(error.details).toEqual([
			{ path: "mapping.Mail", message: '"emial" is not a field of users; did you mean "email"?' },
		]);
	});

	it("a mapping that is neither a name nor JSON, or given twice, or on NDJSON, is a 400", async () => {
		const { apiKey } = await createTenant();
		const bad = await upload(apiKey.key, "type=users&mapping=%7Bnot%20json", "email\na@example.com\n", CSV);
		expect((await bad.json<ErrorBody>()).error.message).toContain('Invalid query parameter "mapping"');
		const body = new FormData();
		body.append("mapping", '{"Mail":"email"}');
		body.append("file", new File(["Mail\na@example.com\n"], "a.csv", { type: "text/csv" }));
		const twice = await call("/v1/imports?type=users&mapping=%7B%7D", { method: "POST", key: apiKey.key, body });
		expect((await twice.json<ErrorBody>()).error.message).toContain("Give the mapping once");
		const ndjson = await upload(apiKey.key, "type=users&mapping=%7B%7D", '{"email":"a@example.com"}\n', {
			"Content-Type": "application/x-ndjson",
		});
		expect(ndjson.status).toBe(400);
		expect((await ndjson.json<ErrorBody>()).error.message).toContain("CSV files only");
	});
});

describe("a saved mapping profile", () => {
	it("is used by name on a file import, and is refused for another record type or when unknown", async () => {
		const { apiKey } = await createTenant();
		const saved = await saveProfile(apiKey.key, "hris", { type: "users", columns: { Badge: "externalId" } });
		expect(saved.status).toBe(200);
		const res = await upload(apiKey.key, "type=users&mapping=hris", "Badge,Email\nH1,h1@example.com\n", CSV);
		expect((await imported(apiKey.key, res)).counts).toMatchObject({ created: 1 });

		const other = await upload(apiKey.key, "type=companies&mapping=hris", "Badge\nc1\n", CSV);
		expect((await other.json<ErrorBody>()).error.message).toBe('Mapping profile "hris" is for users, not companies');
		const unknown = await upload(apiKey.key, "type=users&mapping=nope", "Badge\nc1\n", CSV);
		expect(unknown.status).toBe(400);
		expect((await unknown.json<ErrorBody>()).error.message).toContain('No mapping profile is named "nope"');
	});

	it("is used by name on a staged upload, resolved when the upload starts", async () => {
		const { apiKey } = await createTenant();
		const key = apiKey.key;
		await saveProfile(key, "staged", { type: "users", columns: { Badge: "externalId", Mail: "email" } });
		const started = await call("/v1/uploads", {
			method: "POST",
			key,
			json: { type: "users", format: "csv", mapping: "staged" },
		});
		expect(started.status).toBe(201);
		const { id } = await started.json<{ id: string }>();
		// Changed after the upload began: the upload keeps the columns it started with.
		await saveProfile(key, "staged", { type: "users", columns: { Badge: "companyId" } });
		const bytes = new TextEncoder().encode("Badge,Mail\nS1,s1@example.com\n");
		const part = await call(`/v1/uploads/${id}/parts/1`, {
			method: "PUT",
			key,
			body: bytes,
			headers: { "Content-Length": String(bytes.byteLength) },
		});
		expect(part.status).toBe(200);
		const job = await imported(key, await call(`/v1/uploads/${id}/complete`, { method: "POST", key }));
		expect(job.counts).toMatchObject({ created: 1, failed: 0 });
		expect(await user(key, "S1")).toMatchObject({ email: "s1@example.com" });

		const unknown = await call("/v1/uploads", {
			method: "POST",
			key,
			json: { type: "users", format: "csv", mapping: "x" },
		});
		expect(unknown.status).toBe(400);
	});

	it("is used by name on a URL import, and inline columns work there too", async () => {
		const { apiKey } = await createTenant();
		const key = apiKey.key;
		await saveProfile(key, "ti", { type: "users", columns: { "Work Mail": "email", Badge: "externalId" } });
		const file = "Badge,Work Mail,Given name\nU1,u1@example.com,Uma\n";
		const res = await call("/v1/users/bulkImport", { method: "POST", key, json: { url: served(file), mapping: "ti" } });
		expect((await imported(key, res)).counts).toMatchObject({ created: 1, failed: 0 });
		expect(await user(key, "U1")).toMatchObject({ email: "u1@example.com", firstName: "Uma" });

		const inline = await call("/v1/users/bulkImport", {
			method: "POST",
			key,
			json: { url: served("Code,Mail\nU2,u2@example.com\n"), mapping: { Code: "externalId", Mail: "email" } },
		});
		expect((await imported(key, inline)).counts).toMatchObject({ created: 1, failed: 0 });
		expect(await user(key, "U2")).toMatchObject({ email: "u2@example.com" });
	});
});
