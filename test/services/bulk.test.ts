import { describe, expect, it } from "vitest";
import { call, countRows, createTenant, type JobView, waitForJob } from "../helpers";

const MiB = 1024 * 1024;
const encoder = new TextEncoder();

/** Every JSON bulk route, the key its records sit under, and a record it takes. */
const ROUTES = [
	["/v1/users/bulk", "users", { externalId: "r1" }],
	["/v1/companies/bulk", "companies", { companyId: "c1" }],
	["/v1/enrollments/bulk", "enrollments", { userId: "nobody", courseId: "none" }],
	["/incoming/v2/users/bulk", "users", { externalId: "r1" }],
	["/incoming/v2/enrollments/bulk", "enrollments", { userId: "nobody", courseId: "none" }],
	["/v1/bulk/users", "users", { externalId: "r1" }],
	["/v1/users/bulk_identify", "users", { user_id: "r1" }],
	["/v1/companies/bulk_identify", "companies", { company_id: "c1" }],
] as const;

const JSON_TYPE = { "Content-Type": "application/json" };

/** `head`, then `unit` repeated up to `total` bytes, then `tail`, made as it is read; `pulled()` says how much was. */
function hostile(head: string, unit: string, total: number, tail: string) {
	const block = encoder.encode(unit.repeat(Math.ceil(65_536 / unit.length)));
	let pulled = 0;
	const body = new ReadableStream<Uint8Array>({
		pull(controller) {
			const piece = pulled === 0 ? encoder.encode(head) : pulled < total ? block : encoder.encode(tail);
			pulled += piece.length;
			controller.enqueue(piece);
			if (pulled > total) controller.close();
		},
	});
	return { body, pulled: () => pulled };
}

const gzip = (text: string) =>
	new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();

describe("JSON bulk bodies, on every bulk route", () => {
	it("a 31 MiB body of 0s, of empty arrays, of one long string or nested deep is refused having read a fraction", async () => {
		const { tenant, apiKey } = await createTenant();
		const bodies = (key: string) =>
			[
				[`{"${key}":[`, "0,", "0]}", 413],
				[`{"${key}":[`, "[],", "[]]}", 413],
				[`{"${key}":[{"name":"`, "x", '"}]}', 413],
				[`{"${key}":[{"a":`, "[", "", 400],
			] as const;
		// Every route reads its body through the same service: one route takes every body, the others one each.
		const cases = ROUTES.flatMap(([path, key], i) =>
			(i === 0 ? bodies(key) : [bodies(key)[i % 4]!]).map((b) => [path, ...b] as const),
		);
		for (const [path, head, unit, tail, status] of cases) {
			const { body, pulled } = hostile(head, unit, 31 * MiB, tail);
			const res = await call(path, { method: "POST", key: apiKey.key, body, headers: JSON_TYPE });
			expect([path, unit, res.status]).toEqual([path, unit, status]);
			expect(pulled()).toBeLessThan(4 * MiB);
		}
		expect(await countRows("users", tenant.id)).toBe(0);
		expect((await (await call("/v1/jobs", { key: apiKey.key })).json<{ data: unknown[] }>()).data).toHaveLength(0);
	});

	it("gzip bodies are decoded; any other Content-Encoding is a 415 naming it", async () => {
		const { apiKey } = await createTenant();
		for (const [path, key, record] of ROUTES) {
			const text = JSON.stringify({ [key]: [record] });
			const headers = { ...JSON_TYPE, "Content-Encoding": "gzip" };
			// bulk_identify refuses a job while another is pending unless told to queue it.
			const queue = path.endsWith("bulk_identify") ? "?ifBusy=queue" : "";
			const zipped = await call(`${path}${queue}`, {
				method: "POST",
				key: apiKey.key,
				body: await gzip(text),
				headers,
			});
			expect([path, zipped.status]).toEqual([path, path.endsWith("bulk_identify") ? 202 : 200]);
			for (const encoding of ["br", "zstd", "x-unknown"]) {
				const headers = { ...JSON_TYPE, "Content-Encoding": encoding };
				const res = await call(path, { method: "POST", key: apiKey.key, body: text, headers });
				expect(res.status).toBe(415);
				expect((await res.json<{ error: { message: string } }>()).error.message).toContain(`"${encoding}"`);
			}
		}
	});

	it("a body that is not UTF-8 is a 400 and writes nothing", async () => {
		const { tenant, apiKey } = await createTenant();
		for (const [path, key] of ROUTES) {
			const body = new Uint8Array([...encoder.encode(`{"${key}":[{"name":"caf`), 0xe9, ...encoder.encode('"}]}')]);
			const res = await call(path, { method: "POST", key: apiKey.key, body, headers: JSON_TYPE });
			expect([path, res.status]).toEqual([path, 400]);
			expect((await res.json<{ error: { message: string } }>()).error.message).toBe("The JSON body is not valid UTF-8");
		}
		expect(await countRows("companies", tenant.id)).toBe(0);
	});

	it("a multipart body is a 415 where only JSON is taken, and a malformed form a 400 on bulk_identify", async () => {
		const { apiKey } = await createTenant();
		const form =
			'--B\r\nContent-Disposition: form-data; name="file"; filename="a.ndjson"\r\n\r\n{"user_id":"m"}\r\n--B--\r\n';
		const malformed: [string, string][] = [
			["multipart/form-data", form],
			["multipart/form-data; boundary=B", ""],
			["multipart/form-data; boundary=B", form.slice(0, -8)],
		];
		for (const [path] of ROUTES) {
			for (const [type, body] of malformed) {
				const res = await call(path, { method: "POST", key: apiKey.key, body, headers: { "Content-Type": type } });
				expect([path, type, body.length, res.status]).toEqual([
					path,
					type,
					body.length,
					path.endsWith("bulk_identify") ? 400 : 415,
				]);
			}
		}
		expect((await (await call("/v1/jobs", { key: apiKey.key })).json<{ data: unknown[] }>()).data).toHaveLength(0);
	});

	it("is documented with its body schema although the handler reads it", async () => {
		const doc = await (await call("/openapi.json")).json<{ paths: Record<string, Record<string, unknown>> }>();
		for (const [path, key] of ROUTES) {
			const post = doc.paths[path]!.post as {
				requestBody: { content: Record<string, { schema: { properties: Record<string, { type: string }> } }> };
			};
			expect(post.requestBody.content["application/json"]!.schema.properties[key]!.type).toBe("array");
		}
	});
});

describe("a batch that becomes a job", () => {
	it("streams its records into the job, with the options that follow them", async () => {
		const { tenant, apiKey } = await createTenant();
		const users = Array.from({ length: 250 }, (_, i) => ({ externalId: `s${i}` }));
		const body = `{"users":${JSON.stringify(users)},"options":{"dryRun":true}}`;
		const res = await call("/v1/users/bulk", { method: "POST", key: apiKey.key, body, headers: JSON_TYPE });
		expect(res.status).toBe(202);
		const job = await waitForJob(apiKey.key, (await res.json<JobView>()).id);
		expect(job).toMatchObject({ status: "completed", dryRun: true, counts: { total: 250, created: 250 } });
		expect(await countRows("users", tenant.id)).toBe(0);
	});

	it("leaves no job when its body turns out too large or malformed after the first records", async () => {
		const { apiKey } = await createTenant();
		const users = Array.from({ length: 10_001 }, (_, i) => ({ externalId: `s${i}` }));
		const cases: [string, number][] = [
			[JSON.stringify({ users }), 413],
			[`${JSON.stringify({ users: users.slice(0, 300) }).slice(0, -2)},]}`, 400],
			[JSON.stringify({ users: users.slice(0, 300), options: { turbo: true } }), 400],
		];
		for (const [body, status] of cases) {
			const res = await call("/v1/users/bulk", { method: "POST", key: apiKey.key, body, headers: JSON_TYPE });
			expect(res.status).toBe(status);
		}
		expect((await (await call("/v1/jobs", { key: apiKey.key })).json<{ data: unknown[] }>()).data).toHaveLength(0);
	});
});
