import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cohort, home, newTenant, scratchDir, server } from "./helpers";

let env: Record<string, string>;
const dir = scratchDir("export");

beforeAll(async () => {
	const tenant = await newTenant();
	env = { ...home(), COHORT_URL: server.base, COHORT_KEY: tenant.key };
	const rows = Array.from({ length: 300 }, (_, i) => `e${i},e${i}@example.com,Name ${i},${i % 2 ? "blue" : ""}`);
	const file = join(dir, "users.csv");
	writeFileSync(file, `externalId,email,firstName,custom.colour\n${rows.join("\n")}\n`);
	const run = await cohort(["import", file, "--type", "users"], env);
	expect(run.code, run.stderr).toBe(0);
});

describe("cohort export", () => {
	it("waits for the export, writes the CSV file, and the file imports back with every record unchanged", async () => {
		const out = join(dir, "export.csv");
		const run = await cohort(["export", "--type", "users", "--format", "csv", "--out", out], env);
		expect(run.code, run.stderr).toBe(0);
		expect(run.stdout).toMatch(/^Exported 300 users to .*export\.csv \(job job_\S+\)$/m);
		const lines = readFileSync(out, "utf8").trim().split("\r\n");
		expect(lines[0]).toBe("externalId,email,firstName,lastName,companyId,role,clientId,status,custom.colour");
		expect(lines).toHaveLength(301);
		const back = await cohort(["--json", "import", out, "--type", "users"], env);
		expect(back.code, back.stderr).toBe(0);
		expect(JSON.parse(back.stdout).job.counts).toMatchObject({ total: 300, unchanged: 300, updated: 0 });
	});

	it("writes NDJSON to stdout when no file is given, and --json needs --out", async () => {
		const run = await cohort(["export", "--type", "users", "--company", "none"], env);
		expect(run.code, run.stderr).toBe(0);
		expect(run.stdout).toBe("");
		const all = await cohort(["export", "--type", "users"], env);
		expect(all.stdout.trim().split("\n")).toHaveLength(300);
		expect(JSON.parse(all.stdout.split("\n")[1]!)).toEqual({
			externalId: "e1",
			email: "e1@example.com",
			firstName: "Name 1",
			status: "active",
			customFields: { colour: "blue" },
		});
		const usage = await cohort(["--json", "export", "--type", "users"], env);
		expect(usage.code).toBe(2);
	});
});
