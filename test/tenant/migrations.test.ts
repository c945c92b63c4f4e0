import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ImportOptions } from "../../src/schemas/records";
import { Dispatch } from "../../src/tenant/dispatch";
import { Jobs } from "../../src/tenant/jobs";
import { migrate } from "../../src/tenant/migrations";
import { Pace } from "../../src/tenant/pace";

const UNVERSIONED = `
	CREATE TABLE bucket (id INTEGER PRIMARY KEY CHECK (id = 1), tokens REAL NOT NULL, updated_at INTEGER NOT NULL);
	CREATE TABLE jobs (
		id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, type TEXT NOT NULL, description TEXT NOT NULL,
		status TEXT NOT NULL, spec TEXT NOT NULL, created_at TEXT NOT NULL, started_at TEXT, completed_at TEXT,
		error_message TEXT, total INTEGER NOT NULL, created INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0,
		skipped INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0);
	CREATE INDEX jobs_status ON jobs (status, seq);
	CREATE TABLE chunks (
		job_id TEXT NOT NULL, idx INTEGER NOT NULL, first_line INTEGER NOT NULL,
		state TEXT NOT NULL, sent_at INTEGER, PRIMARY KEY (job_id, idx));
	CREATE TABLE announced (job_id TEXT PRIMARY KEY);
	CREATE TABLE settings (id INTEGER PRIMARY KEY CHECK (id = 1), limits TEXT NOT NULL);
	CREATE TABLE pace (id INTEGER PRIMARY KEY CHECK (id = 1), tokens REAL NOT NULL, updated_at INTEGER NOT NULL);
	ALTER TABLE chunks ADD COLUMN records INTEGER NOT NULL DEFAULT 0;`;

const spec = (id: string) => ({
	id,
	tenantId: "t",
	type: "users.import",
	description: id,
	recordType: "users" as const,
	format: "ndjson" as const,
	origin: "file" as const,
	options: ImportOptions.parse({}),
	total: 0,
	chunks: [],
});

describe("storage migrations", () => {
	it("an object from before versioning keeps its jobs and chunks, and an ended job it never announced is pending", async () => {
		await runInDurableObject(env.TENANT.get(env.TENANT.newUniqueId()), (_instance, state) => {
			const { sql } = state.storage;
			// Back to the tables as the unversioned code made them (the `records` column added by a probe).
			for (const { name } of sql
				.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
				.toArray())
				if (!name.startsWith("_cf") && name !== "sqlite_sequence") sql.exec(`DROP TABLE ${name}`);
			sql.exec(UNVERSIONED);
			const jobs = new Jobs(sql);
			for (const id of ["told", "untold", "running"]) {
				jobs.submit(spec(id), 0);
				jobs.start(id, 0);
			}
			jobs.complete("told", 1);
			jobs.fail("untold", "broke", 1);
			sql.exec("INSERT INTO announced (job_id) VALUES ('told')");
			sql.exec(
				"INSERT INTO chunks (job_id, idx, first_line, state, sent_at, records) VALUES ('running', 0, 1, 'queued', 5000, 1)",
			);

			migrate(state.storage);
			const outbox = sql.exec<{ job_id: string }>("SELECT job_id FROM outbox").toArray();
			expect(outbox.map((r) => r.job_id)).toEqual(["untold"]);
			expect(jobs.get("running")?.status).toBe("processing");
			// A chunk queued before the upgrade is due when the old stall timeout says.
			const chunks = new Dispatch({ sql, pace: new Pace(sql), send: async () => undefined });
			expect(chunks.nextWakeAt(jobs.running()!, 0)).toBe(125_000);
			const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name = 'announced'").toArray();
			expect(tables).toEqual([]);

			// Each step runs once: a second run finds nothing to do (later steps would fail if run again).
			migrate(state.storage);
			expect(sql.exec("SELECT job_id FROM outbox").toArray()).toHaveLength(1);
		});
	});
});
