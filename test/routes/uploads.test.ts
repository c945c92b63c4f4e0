import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PART_SIZE } from "../../src/schemas/uploads";
import { expireUploads } from "../../src/services/uploads";
import { call, countRows, createKey, createTenant, type JobView, shardOf, waitForJob } from "../helpers";

type UploadView = {
	id: string;
	status: string;
	partSize: number;
	expiresAt: string;
	jobId: string | null;
	parts: { partNumber: number; size: number; etag: string }[];
};
type ErrorBody = { error: { code: string; message: string; details?: { path: string; message: string }[] } };

const encoder = new TextEncoder();

async function startUpload(key: string, body: object = { type: "users", format: "ndjson" }) {
	const res = await call("/v1/uploads", { method: "POST", key, json: body });
	expect(res.status).toBe(201);
	return res.json<UploadView>();
}

const putPart = (key: string, id: string, n: number, bytes: Uint8Array) =>
	call(`/v1/uploads/${id}/parts/${n}`, {
		method: "PUT",
		key,
		body: bytes,
		headers: { "Content-Length": String(bytes.byteLength) },
	});

const complete = (key: string, id: string) => call(`/v1/uploads/${id}/complete`, { method: "POST", key });

/** ~13 MiB of users, a little over two full parts, so the file is three parts. */
function usersFile(n: number): Uint8Array {
	const bio = "b".repeat(900);
	const lines = Array.from({ length: n }, (_, i) =>
		JSON.stringify({
			externalId: `emp-${i}`,
			email: `person.${i}@example.com`,
			lastName: `Number ${i}`,
			customFields: { bio },
		}),
	);
	return encoder.encode(`${lines.join("\n")}\n`);
}

describe("staged uploads", () => {
	it("parts sent out of order, one of them twice, import exactly once as one file", async () => {
		const { tenant, apiKey } = await createTenant();
		const created = await startUpload(apiKey.key, {
			type: "users",
			format: "ndjson",
			options: { sendWelcomeEmail: true },
		});
		expect(created).toMatchObject({ status: "open", partSize: PART_SIZE, parts: [] });
		expect(Date.parse(created.expiresAt) - Date.now()).toBeGreaterThan(23.9 * 3600_000);

		const n = 13_000;
		const file = usersFile(n);
		expect(file.byteLength).toBeGreaterThan(2 * PART_SIZE);
		const parts = [file.subarray(0, PART_SIZE), file.subarray(PART_SIZE, 2 * PART_SIZE), file.subarray(2 * PART_SIZE)];
		// Same size, other records: if this first version of part 2 were used, "old-" users would exist.
		const stale = encoder.encode(new TextDecoder().decode(parts[1]).replaceAll("emp-", "old-"));
		expect(stale.byteLength).toBe(PART_SIZE);

		for (const [number, bytes] of [
			[3, parts[2]!],
			[2, stale],
			[1, parts[0]!],
			[2, parts[1]!],
		] as const) {
			const res = await putPart(apiKey.key, created.id, number, bytes);
			expect(res.status).toBe(200);
			expect(await res.json()).toMatchObject({ partNumber: number, size: bytes.byteLength });
		}
		const staged = await (await call(`/v1/uploads/${created.id}`, { key: apiKey.key })).json<UploadView>();
		expect(staged.parts.map((p) => [p.partNumber, p.size])).toEqual([
			[1, PART_SIZE],
			[2, PART_SIZE],
			[3, file.byteLength - 2 * PART_SIZE],
		]);

		const done = await complete(apiKey.key, created.id);
		expect(done.status).toBe(202);
		const job = await done.json<JobView>();
		expect(done.headers.get("Location")).toBe(`/v1/jobs/${job.id}`);
		const again = await complete(apiKey.key, created.id);
		expect(again.status).toBe(202);
		expect((await again.json<JobView>()).id).toBe(job.id);

		const ended = await waitForJob(apiKey.key, job.id, 110_000);
		expect(ended).toMatchObject({ status: "completed", type: "users.import" });
		expect(ended.counts).toMatchObject({ total: n, processed: n, created: n, failed: 0 });
		expect(await countRows("users", tenant.id)).toBe(n);
		expect(await countRows("notifications", tenant.id)).toBe(n);
		const old = await (await shardOf(tenant.id))
			.prepare("SELECT count(*) AS n FROM users WHERE tenant_id = ? AND external_id LIKE 'old-%'")
			.bind(tenant.id)
			.first<{ n: number }>();
		expect(old!.n).toBe(0);
		const jobs = await (await call("/v1/jobs", { key: apiKey.key })).json<{ data: JobView[] }>();
		expect(jobs.data.map((j) => j.id)).toEqual([job.id]);

		const after = await (await call(`/v1/uploads/${created.id}`, { key: apiKey.key })).json<UploadView>();
		expect(after).toMatchObject({ status: "completed", jobId: job.id });
		expect(await env.FILES.head(`uploads/${created.id}`)).toBeNull();
		expect((await putPart(apiKey.key, created.id, 3, encoder.encode("{}\n"))).status).toBe(409);
	});

	it("completing with missing or short parts is a 400 naming them, and the upload stays open to fix", async () => {
		const { apiKey } = await createTenant();
		const { id } = await startUpload(apiKey.key);
		const blank = (size: number) => new Uint8Array(size).fill(0x0a);
		await putPart(apiKey.key, id, 1, blank(PART_SIZE - 1));
		await putPart(apiKey.key, id, 4, blank(10));

		const missing = await complete(apiKey.key, id);
		expect(missing.status).toBe(400);
		const missingError = (await missing.json<ErrorBody>()).error;
		expect(missingError).toMatchObject({
			code: "VALIDATION_ERROR",
			message: expect.stringContaining("Missing parts: 2, 3"),
		});
		expect(missingError.details!.map((d) => d.path)).toEqual(["parts.2", "parts.3"]);

		await putPart(apiKey.key, id, 2, blank(PART_SIZE));
		await putPart(apiKey.key, id, 3, blank(PART_SIZE));
		const short = await complete(apiKey.key, id);
		expect(short.status).toBe(400);
		expect((await short.json<ErrorBody>()).error).toMatchObject({
			message: expect.stringContaining("Parts of the wrong size: 1 "),
			details: [{ path: "parts.1" }],
		});

		expect((await call(`/v1/uploads/${id}`, { key: apiKey.key }).then((r) => r.json<UploadView>())).status).toBe(
			"open",
		);
		expect((await putPart(apiKey.key, id, 1, blank(PART_SIZE))).status).toBe(200);
		const done = await complete(apiKey.key, id);
		expect(done.status).toBe(202);
		expect((await waitForJob(apiKey.key, (await done.json<JobView>()).id)).counts.total).toBe(0);
	});

	it("refuses parts that are too large, empty, numbered out of range or without a length", async () => {
		const { apiKey } = await createTenant();
		const { id } = await startUpload(apiKey.key);
		expect((await putPart(apiKey.key, id, 1, new Uint8Array(PART_SIZE + 1))).status).toBe(413);
		expect((await putPart(apiKey.key, id, 1, new Uint8Array(0))).status).toBe(400);
		expect((await putPart(apiKey.key, id, 0, encoder.encode("{}"))).status).toBe(400);
		expect((await putPart(apiKey.key, id, 10_001, encoder.encode("{}"))).status).toBe(400);
		// One spelling per part: what Number() would also read as a part number is refused.
		for (const n of ["0x10", "1e3", "%205", "5%20", "5.0", "+5", "-1", "01", "0010", "1_0", "%EF%BC%95", "99999"]) {
			const res = await call(`/v1/uploads/${id}/parts/${n}`, {
				method: "PUT",
				key: apiKey.key,
				body: encoder.encode("{}"),
				headers: { "Content-Length": "2" },
			});
			expect([n, res.status]).toEqual([n, 400]);
			expect((await res.json<ErrorBody>()).error.details![0]!.message).toBe(
				"Part numbers are written as plain decimal digits without a leading zero, from 1 to 10000",
			);
		}
		// Part 5 would end past MAX_IMPORT_BYTES (16 MiB in the tests).
		expect((await putPart(apiKey.key, id, 5, encoder.encode("{}"))).status).toBe(413);
		const stream = (text: string) => new Blob([text]).stream().pipeThrough(new TransformStream());
		const unsized = await call(`/v1/uploads/${id}/parts/1`, { method: "PUT", key: apiKey.key, body: stream("{}") });
		expect(unsized.status).toBe(400);
		expect((await unsized.json<ErrorBody>()).error.message).toContain("needs a Content-Length");
		for (const [text, length] of [
			["{}", "5"],
			["{}{}{}", "2"],
		]) {
			const lying = await call(`/v1/uploads/${id}/parts/1`, {
				method: "PUT",
				key: apiKey.key,
				body: stream(text!),
				headers: { "Content-Length": length! },
			});
			expect(lying.status).toBe(400);
			expect((await lying.json<ErrorBody>()).error.message).toContain("than its Content-Length");
		}
		expect((await call(`/v1/uploads/${id}`, { key: apiKey.key }).then((r) => r.json<UploadView>())).parts).toEqual([]);
		expect((await complete(apiKey.key, id)).status).toBe(400);
	});

	it("a CSV upload takes its options, and a file refused at completion aborts the upload", async () => {
		const { tenant, apiKey } = await createTenant();
		const csv = await startUpload(apiKey.key, { type: "companies", format: "csv", options: { dryRun: true } });
		await putPart(apiKey.key, csv.id, 1, encoder.encode("companyId,name\nc1,One\nc2,Two\n"));
		const job = await waitForJob(apiKey.key, (await (await complete(apiKey.key, csv.id)).json<JobView>()).id);
		expect(job).toMatchObject({ type: "companies.import", dryRun: true, counts: { total: 2, created: 2 } });
		expect(await countRows("companies", tenant.id)).toBe(0);

		const bad = await startUpload(apiKey.key, { type: "companies", format: "csv" });
		await putPart(apiKey.key, bad.id, 1, encoder.encode("companyId,shoeSize\nc1,42\n"));
		const refused = await complete(apiKey.key, bad.id);
		expect(refused.status).toBe(400);
		expect((await refused.json<ErrorBody>()).error.message).toContain("shoeSize");
		const after = await (await call(`/v1/uploads/${bad.id}`, { key: apiKey.key })).json<UploadView>();
		expect(after).toMatchObject({ status: "aborted", parts: [] });
		expect(await env.FILES.head(`uploads/${bad.id}`)).toBeNull();
		expect((await complete(apiKey.key, bad.id)).status).toBe(409);
	});

	it("validates the new upload, replays it for the same Idempotency-Key, and is documented", async () => {
		const { apiKey } = await createTenant();
		const post = (json: unknown, headers: Record<string, string> = {}) =>
			call("/v1/uploads", { method: "POST", key: apiKey.key, json, headers });
		expect((await post({ type: "widgets", format: "ndjson" })).status).toBe(400);
		expect((await post({ type: "users", format: "xlsx" })).status).toBe(400);
		expect((await post({ type: "users", format: "csv", options: { sendWelcomeEmail: "true" } })).status).toBe(400);
		expect((await post({ type: "users", format: "csv", size: 10 })).status).toBe(400);
		const text = await call("/v1/uploads", {
			method: "POST",
			key: apiKey.key,
			body: "{}",
			headers: { "Content-Type": "text/plain" },
		});
		expect(text.status).toBe(415);

		const first = await (await post({ type: "users", format: "csv" }, { "Idempotency-Key": "u-1" })).json<UploadView>();
		const again = await post({ type: "users", format: "csv" }, { "Idempotency-Key": "u-1" });
		expect(again.headers.get("Idempotent-Replayed")).toBe("true");
		expect((await again.json<UploadView>()).id).toBe(first.id);

		const doc = await (await call("/openapi.json")).json<{ paths: Record<string, object> }>();
		expect(Object.keys(doc.paths)).toEqual(
			expect.arrayContaining([
				"/v1/uploads",
				"/v1/uploads/{id}",
				"/v1/uploads/{id}/parts/{n}",
				"/v1/uploads/{id}/complete",
			]),
		);
	});
});

describe("staged uploads: tenants and roles", () => {
	it("another tenant's upload is a 404 everywhere, and a viewer can only read", async () => {
		const a = await createTenant("A");
		const b = await createTenant("B");
		const { id } = await startUpload(a.apiKey.key);
		expect((await call(`/v1/uploads/${id}`, { key: b.apiKey.key })).status).toBe(404);
		expect((await putPart(b.apiKey.key, id, 1, encoder.encode("{}"))).status).toBe(404);
		expect((await complete(b.apiKey.key, id)).status).toBe(404);

		const viewer = await createKey(a.apiKey.key, "viewer");
		expect((await call(`/v1/uploads/${id}`, { key: viewer.key })).status).toBe(200);
		expect((await putPart(viewer.key, id, 1, encoder.encode("{}"))).status).toBe(403);
		expect((await complete(viewer.key, id)).status).toBe(403);
		expect(
			(await call("/v1/uploads", { method: "POST", key: viewer.key, json: { type: "users", format: "ndjson" } }))
				.status,
		).toBe(403);
	});
});

describe("expiry", () => {
	it("an upload left open past 24 h is aborted in R2 and D1, and refuses parts and completion afterwards", async () => {
		const { apiKey } = await createTenant();
		const { id } = await startUpload(apiKey.key);
		expect((await putPart(apiKey.key, id, 1, encoder.encode('{"externalId":"x"}\n'))).status).toBe(200);

		expect(await expireUploads(env, Date.now() + 3600_000)).toBe(0);
		expect(await expireUploads(env, Date.now() + 25 * 3600_000)).toBeGreaterThanOrEqual(1);

		const after = await (await call(`/v1/uploads/${id}`, { key: apiKey.key })).json<UploadView>();
		expect(after).toMatchObject({ status: "aborted", parts: [] });
		const rows = await env.DB.prepare("SELECT count(*) AS n FROM upload_parts WHERE upload_id = ?")
			.bind(id)
			.first<{ n: number }>();
		expect(rows!.n).toBe(0);
		const put = await putPart(apiKey.key, id, 2, encoder.encode("{}\n"));
		expect(put.status).toBe(409);
		expect((await put.json<ErrorBody>()).error.message).toContain("start a new upload");
		expect((await complete(apiKey.key, id)).status).toBe(409);

		const { r2_upload_id } = (await env.DB.prepare("SELECT r2_upload_id FROM uploads WHERE id = ?")
			.bind(id)
			.first<{ r2_upload_id: string }>())!;
		await expect(env.FILES.resumeMultipartUpload(`uploads/${id}`, r2_upload_id).uploadPart(2, "{}")).rejects.toThrow();
	});
});

describe("a completion cut short", () => {
	const simulate = (sql: string, id: string) => env.DB.prepare(sql).bind(id).run();
	const jobsOf = async (key: string) => (await (await call("/v1/jobs", { key })).json<{ data: JobView[] }>()).data;

	it("before its job existed: the next completion makes the job", async () => {
		const { apiKey } = await createTenant();
		const { id } = await startUpload(apiKey.key);
		await putPart(apiKey.key, id, 1, encoder.encode('{"externalId":"a"}\n{"externalId":"b"}\n'));
		// The claim is all that happened: the upload reads "completing" and has no job.
		await simulate("UPDATE uploads SET status = 'completed' WHERE id = ?", id);
		expect((await (await call(`/v1/uploads/${id}`, { key: apiKey.key })).json<UploadView>()).status).toBe("completing");

		const res = await complete(apiKey.key, id);
		expect(res.status).toBe(202);
		const job = await waitForJob(apiKey.key, (await res.json<JobView>()).id);
		expect(job.counts).toMatchObject({ total: 2, created: 2 });
		expect((await (await call(`/v1/uploads/${id}`, { key: apiKey.key })).json<UploadView>()).jobId).toBe(job.id);
	});

	it("after its job was submitted but not recorded: the next completion and the sweep find that job", async () => {
		const { apiKey } = await createTenant();
		const { id } = await startUpload(apiKey.key);
		await putPart(apiKey.key, id, 1, encoder.encode('{"externalId":"a"}\n'));
		const first = await (await complete(apiKey.key, id)).json<JobView>();
		await simulate("UPDATE uploads SET job_id = NULL WHERE id = ?", id);

		const again = await complete(apiKey.key, id);
		expect(again.status).toBe(202);
		expect((await again.json<JobView>()).id).toBe(first.id);
		expect((await jobsOf(apiKey.key)).map((j) => j.id)).toEqual([first.id]);

		// The sweep of crashed completions takes the job too, instead of aborting the upload.
		await simulate("UPDATE uploads SET job_id = NULL WHERE id = ?", id);
		expect(await expireUploads(env, Date.now() + 26 * 3600_000)).toBe(0);
		const upload = await (await call(`/v1/uploads/${id}`, { key: apiKey.key })).json<UploadView>();
		expect(upload).toMatchObject({ status: "completed", jobId: first.id });
		expect((await waitForJob(apiKey.key, first.id)).counts.created).toBe(1);
	});
});
