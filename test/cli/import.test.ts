import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cohort, home, newTenant, scratchDir, server } from "./helpers";

let env: Record<string, string>;
const dir = scratchDir("import");

/** `count` users as CSV; every 100th has an invalid email. */
function usersCsv(name: string, count: number, prefix: string): string {
	const lines = ["externalId,email,firstName"];
	for (let i = 1; i <= count; i++) {
		const email = i % 100 === 0 ? `not-an-email-${i}` : `${prefix}${i}@example.com`;
		lines.push(`${prefix}${i},${email},User ${i}`);
	}
	const path = join(dir, name);
	writeFileSync(path, `${lines.join("\n")}\n`);
	return path;
}

beforeAll(async () => {
	const tenant = await newTenant();
	env = { ...home(), COHORT_URL: server.base, COHORT_KEY: tenant.key };
});

describe("cohort import", () => {
	it("imports 1,000 CSV records with 10 failures: exit 1, the error report next to the file, the summary", async () => {
		const file = usersCsv("users.csv", 1000, "csv");
		const run = await cohort(["import", file, "--type", "users"], env);
		expect(run.code, run.stderr).toBe(1);
		expect(run.stdout).toMatch(/^Job job_\S+ completed in /m);
		expect(run.stdout).toMatch(/^ {2}created +990$/m);
		expect(run.stdout).toMatch(/^ {2}failed +10$/m);
		expect(run.stdout).toMatch(/^ {2}total +1,000$/m);
		expect(run.stdout).toContain(`10 records failed; the error report is ${file}.errors.csv`);
		const report = readFileSync(`${file}.errors.csv`, "utf8").trim().split(/\r?\n/);
		expect(report).toHaveLength(11);
		expect(report.join("\n")).toContain("Invalid email format");
		// Data line 100 of the file is physical line 101 (the header is line 1).
		expect(report.some((row) => row.startsWith("101,"))).toBe(true);
	});

	it("prints plain progress lines, no terminal codes, when the output is not a terminal", async () => {
		const file = usersCsv("plain.csv", 200, "plain");
		const run = await cohort(["import", file, "--type", "users", "--allow-failures"], env);
		expect(run.code, run.stderr).toBe(0);
		expect(run.stderr).toMatch(/^upload 100% [\d.]+\/[\d.]+ kB [\d.]+ k?B\/s eta \S+$/m);
		expect(run.stderr).toMatch(/^records 100% 200\/200 [\d,]+ rec\/s eta \S+ failed 2$/m);
		expect(run.stderr + run.stdout).not.toContain("\x1b");
	});

	it("gives one JSON document with --json", async () => {
		const file = usersCsv("json.csv", 300, "json");
		const run = await cohort(["--json", "import", file, "--type", "users"], env);
		expect(run.code).toBe(1);
		expect(run.stderr).toBe("");
		const out = JSON.parse(run.stdout);
		expect(out.job).toMatchObject({ status: "completed", counts: { total: 300, created: 297, failed: 3 } });
		expect(out.errorsFile).toBe(`${file}.errors.csv`);
		expect(out.seconds.total).toBeGreaterThan(0);
	});

	it("writes nothing with --dry-run, and reports the same counts", async () => {
		const file = usersCsv("dry.csv", 100, "dry");
		const run = await cohort(["--json", "import", file, "--type", "users", "--dry-run", "--allow-failures"], env);
		expect(run.code, run.stderr).toBe(0);
		expect(JSON.parse(run.stdout).job).toMatchObject({ dryRun: true, counts: { created: 99, failed: 1 } });
		const user = await cohort(["users", "get", "dry1"], env);
		expect(user.code).toBe(1);
		expect(user.stderr).toMatch(/^error: User dry1 not found \[NOT_FOUND, request \S+\]$/m);
		expect(existsSync(`${file}.errors.csv`)).toBe(true);
	});
});

describe("cohort import --mapping and cohort mappings", () => {
	it("maps CSV columns from inline JSON, from @file and from a saved mapping by name", async () => {
		const path = join(dir, "hris.csv");
		writeFileSync(path, "Badge,Work Mail,Given name\nmap1,map1@example.com,Mo\n");
		const inline = await cohort(
			["--json", "import", path, "--type", "users", "--mapping", '{"Badge":"externalId","Work Mail":"email"}'],
			env,
		);
		expect(inline.code, inline.stderr).toBe(0);
		expect(JSON.parse(inline.stdout).job.counts).toMatchObject({ created: 1, failed: 0 });

		const columns = join(dir, "columns.json");
		writeFileSync(columns, '{"Badge": "user_id", "Work Mail": "email"}');
		const put = await cohort(["mappings", "put", "hris", "--type", "users", "--columns", `@${columns}`], env);
		expect(put.code, put.stderr).toBe(0);
		expect(put.stdout).toMatch(/^hris \(users\), updated /);
		const list = await cohort(["--json", "mappings", "list"], env);
		expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: "hris", type: "users" })]);

		writeFileSync(path, "Badge,Work Mail,Given name\nmap2,map2@example.com,Max\n");
		const named = await cohort(["--json", "import", path, "--type", "users", "--mapping", "hris"], env);
		expect(named.code, named.stderr).toBe(0);
		expect(JSON.parse(named.stdout).job.counts).toMatchObject({ created: 1, failed: 0 });
		const user = await cohort(["--json", "users", "get", "map2"], env);
		expect(JSON.parse(user.stdout)).toMatchObject({ email: "map2@example.com", firstName: "Max" });

		const gone = await cohort(["mappings", "delete", "hris"], env);
		expect(gone.stdout).toBe("Deleted mapping hris\n");
		const unknown = await cohort(["import", path, "--type", "users", "--mapping", "hris"], env);
		expect(unknown.code).toBe(1);
		expect(unknown.stderr).toContain('No mapping profile is named "hris"');
		const bad = await cohort(["import", path, "--type", "users", "--mapping", "{nope"], env);
		expect(bad.code).toBe(2);
	});
});

describe("cohort import --sync full", () => {
	it("deactivates the users the file lacks, up to --max-deactivate, and refuses above it", async () => {
		const tenant = await newTenant();
		const own = { ...env, COHORT_KEY: tenant.key };
		const everyone = usersCsv("sync-all.csv", 10, "sync");
		expect((await cohort(["import", everyone, "--type", "users"], own)).code).toBe(0);
		const most = usersCsv("sync-most.csv", 8, "sync");
		const refused = await cohort(["import", most, "--type", "users", "--sync", "full", "--max-deactivate", "0.1"], own);
		expect(refused.code).not.toBe(0);
		expect(refused.stdout).toContain("would deactivate 2 of 10 active users");
		const run = await cohort(["import", most, "--type", "users", "--sync", "full", "--max-deactivate", "2"], own);
		expect(run.code, run.stderr).toBe(0);
		expect(run.stdout).toMatch(/^ {2}deactivated +2$/m);
		const bad = await cohort(["import", most, "--type", "users", "--sync", "full", "--max-deactivate", "1.5"], own);
		expect(bad.stderr).toContain("--max-deactivate takes a fraction below 1");
	});
});
