import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { records } from "../../../src/db/client";
import { findCompany } from "../../../src/db/queries/companies";
import { companies } from "../../../src/db/schema";

describe("company queries", () => {
	it("finds a company only in its own tenant", async () => {
		const database = records(env, 0);
		const written = { createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z", srcJob: "t", srcLine: 1 };
		await database.insert(companies).values({ tenantId: "ten_find", companyId: "acme", name: "Acme", ...written });
		expect((await findCompany(database, "ten_find", "acme"))?.name).toBe("Acme");
		expect(await findCompany(database, "ten_elsewhere", "acme")).toBeUndefined();
	});
});
