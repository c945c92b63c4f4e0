import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { db } from "../../../src/db/client";
import {
	claimUpload,
	expiredUploads,
	findUpload,
	insertUpload,
	listParts,
	markAborted,
	recordPart,
	reopenUpload,
	setUploadJob,
} from "../../../src/db/queries/uploads";

const database = () => db(env);

function newUpload(tenantId: string, expiresAt = "2026-01-02T00:00:00Z") {
	const id = `upl_${crypto.randomUUID()}`;
	return insertUpload(database(), {
		id,
		tenantId,
		type: "users",
		format: "ndjson",
		options: {},
		r2Key: `uploads/${id}`,
		r2UploadId: "r2",
		status: "open",
		createdAt: "2026-01-01T00:00:00Z",
		expiresAt,
	});
}

describe("upload queries", () => {
	it("parts are recorded, replaced and listed in order only while the upload is open", async () => {
		const upload = await newUpload("ten_up");
		expect(await recordPart(database(), upload.id, { partNumber: 2, etag: "e2", size: 5 })).toBe(true);
		expect(await recordPart(database(), upload.id, { partNumber: 1, etag: "e1", size: 5 })).toBe(true);
		expect(await recordPart(database(), upload.id, { partNumber: 2, etag: "e2b", size: 3 })).toBe(true);
		expect(await listParts(database(), upload.id)).toEqual([
			{ partNumber: 1, size: 5, etag: "e1" },
			{ partNumber: 2, size: 3, etag: "e2b" },
		]);
		expect(await claimUpload(database(), "ten_up", upload.id, "2026-01-01T12:00:00Z")).toMatchObject({
			status: "completed",
		});
		expect(await recordPart(database(), upload.id, { partNumber: 3, etag: "e3", size: 1 })).toBe(false);
		expect(await listParts(database(), upload.id)).toHaveLength(2);
	});

	it("an upload is claimed once, never by another tenant or after expiry, and can be given back", async () => {
		const upload = await newUpload("ten_claim");
		const before = "2026-01-01T12:00:00Z";
		expect(await claimUpload(database(), "ten_other", upload.id, before)).toBeUndefined();
		expect(await claimUpload(database(), "ten_claim", upload.id, "2026-01-03T00:00:00Z")).toBeUndefined();
		expect(await claimUpload(database(), "ten_claim", upload.id, before)).toBeDefined();
		expect(await claimUpload(database(), "ten_claim", upload.id, before)).toBeUndefined();
		await reopenUpload(database(), upload.id);
		expect(await claimUpload(database(), "ten_claim", upload.id, before)).toBeDefined();
		await setUploadJob(database(), upload.id, "job_1");
		expect(await findUpload(database(), "ten_claim", upload.id)).toMatchObject({ status: "completed", jobId: "job_1" });
		expect(await findUpload(database(), "ten_other", upload.id)).toBeUndefined();
	});

	it("finds uploads left open past expiry and completions that never got their job, and aborts them", async () => {
		const tenant = `ten_${crypto.randomUUID()}`;
		const open = await newUpload(tenant, "2026-01-02T00:00:00Z");
		const crashed = await newUpload(tenant, "2026-01-02T00:00:00Z");
		await claimUpload(database(), tenant, crashed.id, "2026-01-01T00:00:00Z");
		const finished = await newUpload(tenant, "2026-01-02T00:00:00Z");
		await claimUpload(database(), tenant, finished.id, "2026-01-01T00:00:00Z");
		await setUploadJob(database(), finished.id, "job_done");
		await newUpload(tenant, "2026-01-09T00:00:00Z");
		await recordPart(database(), open.id, { partNumber: 1, etag: "e", size: 1 });

		const found = await expiredUploads(database(), "2026-01-03T00:00:00Z", "2026-01-02T12:00:00Z", 100);
		expect(
			found
				.filter((u) => u.tenantId === tenant)
				.map((u) => u.id)
				.sort(),
		).toEqual([open.id, crashed.id].sort());
		await markAborted(database(), open.id);
		expect(await findUpload(database(), tenant, open.id)).toMatchObject({ status: "aborted" });
		expect(await listParts(database(), open.id)).toEqual([]);
	});
});
