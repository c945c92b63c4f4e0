import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ImportOptions } from "../../src/schemas/records";
import { Jobs } from "../../src/tenant/jobs";
import { migrate } from "../../src/tenant/migrations";

const spec = (id: string) => ({
	id,
	tenantId: "t",
	type: "users.import",
	description: id,
	recordType: "users" as const,
	format: "ndjson" as const,
	origin: "file" as const,
	options: ImportOptions.parse({}),
	columns: null,
	total: 0,
	chunks: [],
});

describe("storage migrations", () => {
	it("an object from before versioning keeps its jobs, and an ended job it never announced is pending", async () => {
		await runInDurableObject(env.TENANT.get(env.TENANT.newUniqueId()), (_instance, state) => {
			const { sql } = state.storage;
			// Back to the tables the unversioned code made (its `announced` list instead of the outbox).
			sql.exec("DROP TABLE _migrations; DROP TABLE outbox; CREATE TABLE announced (job_id TEXT PRIMARY KEY)");
			const jobs = new Jobs(sql);
			for (const id of ["told", "untold", "running"]) {
				jobs.submit(spec(id), 0);
				jobs.start(id, 0);
			}
			jobs.complete("told", 1);
			jobs.fail("untold", "broke", 1);
			sql.exec("INSERT INTO announced (job_id) VALUES ('told')");

			migrate(state.storage);
			const outbox = sql.exec<{ job_id: string }>("SELECT job_id FROM outbox").toArray();
			expect(outbox.map((r) => r.job_id)).toEqual(["untold"]);
			expect(jobs.get("running")?.status).toBe("processing");
			const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name = 'announced'").toArray();
			expect(tables).toEqual([]);

			// Each step runs once: a second run finds nothing to do (step 2 would fail on its CREATE TABLE).
			migrate(state.storage);
			expect(sql.exec("SELECT job_id FROM outbox").toArray()).toHaveLength(1);
		});
	});
});
