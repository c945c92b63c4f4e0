import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { beginIntake } from "../../src/jobs/files";
import { sweepIntakes } from "../../src/jobs/retention";
import { chunkKey } from "../../src/schemas/jobs";
import { createTenant, type JobView, upload, waitForJob } from "../helpers";

const NDJSON = { "Content-Type": "application/x-ndjson" };
const HOURS = 3600_000;

const keysUnder = async (prefix: string) => (await env.FILES.list({ prefix })).objects.map((o) => o.key);

describe("files of an intake cut short by a crash", () => {
	it("an import that ends, however it ends, leaves no intake mark", async () => {
		const { apiKey } = await createTenant();
		const res = await upload(apiKey.key, "type=users", '{"externalId":"i-1"}\n', NDJSON);
		const job = await res.json<JobView>();
		expect(await keysUnder(`intakes/${job.id}`)).toEqual([]);
		const refused = await upload(apiKey.key, "type=users", "not json at all", { "Content-Type": "text/plain" });
		expect(refused.status).toBe(415);
		expect((await waitForJob(apiKey.key, job.id)).status).toBe("completed");
	});

	it("the sweep deletes the chunks of a job never submitted, and keeps a submitted job's", async () => {
		const { tenant, apiKey } = await createTenant();
		// What a process killed while a file streamed in leaves: its mark and the chunks cut so far.
		const lost = "job_lost_in_intake";
		await beginIntake(env, tenant.id, lost);
		await env.FILES.put(chunkKey(lost, 0), '{"externalId":"x"}\n');
		await env.FILES.put(chunkKey(lost, 1), '{"externalId":"y"}\n');
		// What one killed after submitting its job and before clearing the mark leaves.
		const job = await (await upload(apiKey.key, "type=users", '{"externalId":"kept"}\n', NDJSON)).json<JobView>();
		await waitForJob(apiKey.key, job.id);
		await beginIntake(env, tenant.id, job.id);

		expect(await sweepIntakes(env, Date.now() + HOURS)).toBe(0);
		expect(await keysUnder(`jobs/${lost}/`)).toHaveLength(2);

		expect(await sweepIntakes(env, Date.now() + 7 * HOURS)).toBe(1);
		expect(await keysUnder(`jobs/${lost}/`)).toEqual([]);
		expect(await keysUnder(`jobs/${job.id}/`)).not.toEqual([]);
		expect(await keysUnder("intakes/")).toEqual([]);
	});
});
