import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, countRows, createTenant, type JobView, upload, waitForJob } from "../../helpers";

const NDJSON = { "Content-Type": "application/x-ndjson" };

describe("NDJSON file imports", () => {
	it("bad lines fail alone with their line numbers and every other line imports", async () => {
		const { tenant, apiKey } = await createTenant();
		const encoder = new TextEncoder();
		const parts: Uint8Array[] = [
			encoder.encode('{"externalId":"a","email":"a@example.com"}\n'),
			encoder.encode("not json\n"),
			encoder.encode("\n"),
			encoder.encode('["an","array"]\n'),
			new Uint8Array([0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]),
			encoder.encode(`{"externalId":"huge","firstName":"${"x".repeat(1_100_000)}"}\n`),
			encoder.encode('{"externalId":"b","email":"=cmd|calc"}\n'),
			encoder.encode('{"externalId":"c","firstName":"Zoë 🚀"}'),
		];
		const res = await upload(apiKey.key, "type=users", new Blob(parts), NDJSON);
		expect(res.status).toBe(202);
		const created = await res.json<JobView>();
		expect(res.headers.get("Location")).toBe(`/v1/jobs/${created.id}`);
		const job = await waitForJob(apiKey.key, created.id);
		expect(job).toMatchObject({ status: "completed", type: "users.import" });
		expect(job.counts).toEqual({
			total: 7,
			processed: 7,
			created: 2,
			updated: 0,
			unchanged: 0,
			skipped: 0,
			failed: 5,
			deactivated: 0,
		});
		expect(await countRows("users", tenant.id)).toBe(2);

		const report = await (await call(job.links.errors, { key: apiKey.key })).text();
		const lines = report
			.trim()
			.split("\n")
			.map((l) => JSON.parse(l) as { line: number; code: string; error: string; record: string });
		expect(lines.map((l) => [l.line, l.code])).toEqual([
			[2, "VALIDATION_ERROR"],
			[4, "VALIDATION_ERROR"],
			[5, "VALIDATION_ERROR"],
			[6, "VALIDATION_ERROR"],
			[7, "VALIDATION_ERROR"],
		]);
		expect(lines[0]).toMatchObject({ error: expect.stringContaining("not valid JSON"), record: "not json" });
		expect(lines[1]!.error).toContain("not a JSON object");
		expect(lines[2]!.error).toContain("UTF-8");
		expect(lines[3]!.error).toContain("1 MiB");
		expect(lines[4]).toMatchObject({
			field: "email",
			error: "Invalid email format",
			record: '{"externalId":"b","email":"=cmd|calc"}',
		});

		const csv = await (await call(job.links.errors, { key: apiKey.key, headers: { Accept: "text/csv" } })).text();
		const rows = csv.trim().split("\r\n");
		expect(rows[0]).toBe("line,code,field,column,error,record");
		expect(rows).toHaveLength(6);
		expect(rows[5]).toBe(
			`7,VALIDATION_ERROR,email,,Invalid email format,"{""externalId"":""b"",""email"":""=cmd|calc""}"`,
		);
		const zoe = await (await call("/v1/users/c", { key: apiKey.key })).json<{ firstName: string }>();
		expect(zoe.firstName).toBe("Zoë 🚀");
	});

	it("a multi-MiB file passes through R2 in several chunks and every row lands in D1", async () => {
		const { tenant, apiKey } = await createTenant();
		const n = 60_000;
		const lines = Array.from({ length: n }, (_, i) =>
			JSON.stringify({
				externalId: `emp-${i}`,
				email: `person.${i}@example.com`,
				firstName: "Person",
				lastName: `Number ${i}`,
				metadata: { team: i % 17 },
			}),
		);
		const body = `${lines.join("\n")}\n`;
		expect(body.length).toBeGreaterThan(5 * 1024 * 1024);
		const res = await upload(apiKey.key, "type=users", body, NDJSON);
		expect(res.status).toBe(202);
		const job = await waitForJob(apiKey.key, (await res.json<JobView>()).id, 120_000);
		expect(job.status).toBe("completed");
		expect(job.counts).toMatchObject({ total: n, processed: n, created: n, failed: 0 });
		expect(await countRows("users", tenant.id)).toBe(n);
		const chunks = await env.FILES.list({ prefix: `jobs/${job.id}/chunks/` });
		expect(chunks.objects.length).toBeGreaterThan(2);
		const last = await (await call(`/v1/users/emp-${n - 1}`, { key: apiKey.key })).json<{
			lastName: string;
			metadata: object;
		}>();
		expect(last).toMatchObject({ lastName: `Number ${n - 1}`, metadata: { team: (n - 1) % 17 } });
	});

	it("customFields nested deeper than 16 levels fail alone, even 150,000 levels deep", async () => {
		const { tenant, apiKey } = await createTenant();
		const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
		const lines = [
			`{"externalId":"flat","customFields":${nested(16)}}`,
			`{"externalId":"deep","customFields":${nested(17)}}`,
			`{"externalId":"abyss","customFields":${nested(150_000)}}`,
			'{"externalId":"after"}',
		];
		const res = await upload(apiKey.key, "type=users", lines.join("\n"), NDJSON);
		const job = await waitForJob(apiKey.key, (await res.json<JobView>()).id);
		expect(job).toMatchObject({ status: "completed", counts: { total: 4, created: 2, failed: 2 } });
		expect(await countRows("users", tenant.id)).toBe(2);
		const report = (await (await call(job.links.errors, { key: apiKey.key })).text()).trim().split("\n");
		expect(report.map((row) => JSON.parse(row)).map(({ line, field, error }) => ({ line, field, error }))).toEqual([
			{ line: 2, field: "customFields", error: "customFields nests deeper than 16 levels" },
			{ line: 3, field: "customFields", error: "customFields nests deeper than 16 levels" },
		]);
	});

	it("gzip bodies are decoded; a body that is not gzip is a 415 and a gzip bomb a 413", async () => {
		const { apiKey } = await createTenant();
		const gz = (text: string) =>
			new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
		const ok = await upload(apiKey.key, "type=users", await gz('{"externalId":"z1"}\n{"externalId":"z2"}\n'), {
			...NDJSON,
			"Content-Encoding": "gzip",
		});
		expect(ok.status).toBe(202);
		expect((await waitForJob(apiKey.key, (await ok.json<JobView>()).id)).counts.created).toBe(2);

		const notGzip = await upload(apiKey.key, "type=users", '{"externalId":"z3"}\n', {
			...NDJSON,
			"Content-Encoding": "gzip",
		});
		expect(notGzip.status).toBe(415);
		const bomb = new Blob([new Uint8Array(64 * 1024 * 1024)]).stream().pipeThrough(new CompressionStream("gzip"));
		const bombed = await upload(apiKey.key, "type=users", await new Response(bomb).arrayBuffer(), {
			...NDJSON,
			"Content-Encoding": "gzip",
		});
		expect(bombed.status).toBe(413);
		expect((await call("/v1/jobs", { key: apiKey.key }).then((r) => r.json<{ data: unknown[] }>())).data).toHaveLength(
			1,
		);
	});

	it("an empty file completes with total 0, and the request's own errors come before any job", async () => {
		const { apiKey } = await createTenant();
		const empty = await upload(apiKey.key, "type=users", "", NDJSON);
		expect(await waitForJob(apiKey.key, (await empty.json<JobView>()).id)).toMatchObject({
			status: "completed",
			counts: { total: 0, processed: 0 },
		});

		expect((await upload(apiKey.key, "type=widgets", "{}", NDJSON)).status).toBe(400);
		expect((await upload(apiKey.key, "type=users&dryRun=maybe", "{}", NDJSON)).status).toBe(400);
		expect((await upload(apiKey.key, "type=users", "{}", { "Content-Type": "application/pdf" })).status).toBe(415);
		const form = new FormData();
		form.append("other", "x");
		const noFile = await call("/v1/imports?type=users", { method: "POST", key: apiKey.key, body: form });
		expect(noFile.status).toBe(400);
		expect((await noFile.json<{ error: { message: string } }>()).error.message).toContain('"file"');
	});

	it("a multipart file works, and dryRun reports what a real run would without writing", async () => {
		const { tenant, apiKey } = await createTenant();
		const form = new FormData();
		form.append("file", new File(['{"externalId":"m1"}\n{"email":"bad"}\n'], "users.ndjson"));
		const dry = await call("/v1/imports?type=users&dryRun=true", { method: "POST", key: apiKey.key, body: form });
		const dryJob = await waitForJob(apiKey.key, (await dry.json<JobView>()).id);
		expect(dryJob).toMatchObject({ dryRun: true, counts: { created: 1, failed: 1 } });
		expect(await countRows("users", tenant.id)).toBe(0);
		const errors = await (await call(dryJob.links.errors, { key: apiKey.key })).text();
		expect(JSON.parse(errors.trim())).toMatchObject({ line: 2, code: "VALIDATION_ERROR" });
	});
});

describe("multipart uploads", () => {
	const MiB = 1024 * 1024;
	const head = '--B\r\nContent-Disposition: form-data; name="file"; filename="u.ndjson"\r\n\r\n';

	it("stream like raw bodies: a form past the import limit is refused having read not much more than the limit", async () => {
		const { apiKey } = await createTenant();
		const block = new TextEncoder().encode('{"externalId":"x"}\n'.repeat(3449));
		let pulled = 0;
		const body = new ReadableStream<Uint8Array>({
			pull(controller) {
				if (pulled > 64 * MiB) return controller.close();
				const piece = pulled === 0 ? new TextEncoder().encode(head) : block;
				pulled += piece.length;
				controller.enqueue(piece.slice());
			},
		});
		const headers = { "Content-Type": "multipart/form-data; boundary=B" };
		const res = await call("/v1/imports?type=users", { method: "POST", key: apiKey.key, body, headers });
		expect(res.status).toBe(413);
		// The tests' MAX_IMPORT_BYTES is 16 MiB.
		expect(pulled).toBeLessThan(24 * MiB);
	});

	it("a gzip form is read whole-body decoded; a form without a boundary, empty or cut short is a 400", async () => {
		const { tenant, apiKey } = await createTenant();
		const form = `${head}{"externalId":"g1"}\n{"externalId":"g2"}\r\n--B--\r\n`;
		const gzip = await new Response(new Blob([form]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
		const type = { "Content-Type": "multipart/form-data; boundary=B" };
		const zipped = await upload(apiKey.key, "type=users", gzip, { ...type, "Content-Encoding": "gzip" });
		expect(zipped.status).toBe(202);
		expect((await waitForJob(apiKey.key, (await zipped.json<JobView>()).id)).counts.created).toBe(2);

		const bad: [Record<string, string>, string][] = [
			[{ "Content-Type": "multipart/form-data" }, form],
			[type, ""],
			[type, form.slice(0, -12)],
			[type, form.slice(0, 40)],
		];
		for (const [headers, body] of bad) {
			for (const path of ["/v1/imports?type=users", "/v1/users/bulk_identify"]) {
				const res = await call(path, { method: "POST", key: apiKey.key, body, headers });
				expect(res.status).toBe(400);
				expect((await res.json<{ error: { code: string } }>()).error.code).toBe("VALIDATION_ERROR");
			}
		}
		expect(await countRows("users", tenant.id)).toBe(2);
		expect((await (await call("/v1/jobs", { key: apiKey.key })).json<{ data: unknown[] }>()).data).toHaveLength(1);
	});
});

describe("Idempotency-Key on uploads", () => {
	it("the same key and file return the first job; another file with the key is a 409", async () => {
		const { apiKey } = await createTenant();
		const headers = { ...NDJSON, "Idempotency-Key": "nightly-2026-11-23" };
		const first = await upload(apiKey.key, "type=users", '{"externalId":"i1"}\n', headers);
		const job = await first.json<JobView>();
		const again = await upload(apiKey.key, "type=users", '{"externalId":"i1"}\n', headers);
		expect(again.status).toBe(202);
		expect(again.headers.get("Location")).toBe(`/v1/jobs/${job.id}`);
		expect((await again.json<JobView>()).id).toBe(job.id);
		const other = await upload(apiKey.key, "type=users", '{"externalId":"i2"}\n', headers);
		expect(other.status).toBe(409);
		const jobs = await (await call("/v1/jobs", { key: apiKey.key })).json<{ data: JobView[] }>();
		expect(jobs.data.map((j) => j.id)).toEqual([job.id]);
	});
});
