import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, countRows, createTenant, failingAfter, type JobView, waitForJob } from "../helpers";
import { deliverChunks, stagedJob } from "./staged";

describe("dead-lettered chunks", () => {
	it("fail the job naming the chunk's lines and last error, and retry imports their records", async () => {
		const { tenant, apiKey } = await createTenant();
		const { id, messages } = await stagedJob(
			tenant.id,
			['{"externalId":"a"}', '{"externalId":"b"}', '{"email":"nope"}'],
			['{"externalId":"d1"}', "", '{"externalId":"d2"}'],
		);
		const broken = { ...env, FILES: failingAfter(env.FILES, "get", 0) };
		for (let attempt = 1; attempt <= 2; attempt++) {
			const result = await deliverChunks("cohort-chunks", [messages[1]!], broken);
			expect(result.retryMessages).toHaveLength(1);
		}
		expect((await deliverChunks("cohort-chunks-dlq", [messages[1]!])).explicitAcks).toHaveLength(1);

		const failed = await (await call(`/v1/jobs/${id}`, { key: apiKey.key })).json<JobView>();
		expect(failed.status).toBe("failed");
		expect(failed.errorMessage).toContain("Chunk 1 (lines 4-6)");
		expect(failed.errorMessage).toContain("after 2 attempts; last error: Error: stopped at get #2");

		// The dead-lettered chunk and the one the failed job never ran were written by no one: retry takes both.
		const res = await call(`/v1/jobs/${id}/retry`, { method: "POST", key: apiKey.key });
		expect(res.status).toBe(202);
		const retry = await waitForJob(apiKey.key, (await res.json<JobView>()).id);
		expect(retry).toMatchObject({ status: "completed", counts: { total: 5, created: 4, failed: 1 } });
		expect(await countRows("users", tenant.id)).toBe(4);
		expect(await countRows("notifications", tenant.id)).toBe(4);
	});
});
