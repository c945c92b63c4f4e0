import { describe, expect, it } from "vitest";
import { call, countRows, createTenant, type JobView, waitForJob } from "../helpers";

describe("companies", () => {
	it("bulk upserts companies and reads them back; Userpilot's bulk_identify shape becomes a job", async () => {
		const { tenant, apiKey } = await createTenant();
		const key = apiKey.key;
		const res = await call("/v1/companies/bulk", {
			method: "POST",
			key,
			json: {
				companies: [
					{ companyId: "acme", name: "Acme" },
					{ company_id: "globex", metadata: { plan: "gold" } },
					{ name: "no id" },
				],
			},
		});
		expect(await res.json()).toMatchObject({ successful: 2, created: 2, failed: 1 });
		const identify = await call("/v1/companies/bulk_identify", {
			method: "POST",
			headers: { Authorization: `Token ${key}`, "Content-Type": "application/json" },
			body: JSON.stringify({ companies: [{ company_id: "acme", metadata: { seats: 40 } }] }),
		});
		expect(identify.status).toBe(202);
		const job = await waitForJob(key, (await identify.json<JobView>()).id);
		expect(job).toMatchObject({ type: "companies.import", counts: { updated: 1 } });
		const acme = await (await call("/v1/companies/acme", { key })).json();
		expect(acme).toMatchObject({ companyId: "acme", name: "Acme", metadata: { seats: 40 } });
		expect((await call("/v1/companies/nope", { key })).status).toBe(404);
		expect(await countRows("companies", tenant.id)).toBe(2);
	});
});
