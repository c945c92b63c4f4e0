import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cohort, home, newTenant, scratchDir, server } from "./helpers";

const dir = scratchDir("jobs");
let env: Record<string, string>;
let jobId: string;

function csv(name: string, rows: string[]): string {
	const path = join(dir, name);
	writeFileSync(path, `externalId,email\n${rows.join("\n")}\n`);
	return path;
}

beforeAll(async () => {
	// `tenants create --login` leaves the new tenant's key as the login of this home.
	env = home();
	const created = await cohort(
		["--url", server.base, "--json", "tenants", "create", "Jobs", "--admin-key", server.adminKey, "--login"],
		env,
	);
	expect(created.code, created.stderr).toBe(0);
	expect(JSON.parse(created.stdout).apiKey.role).toBe("super_admin");
	const file = csv("three.csv", ["j1,j1@example.com", "j2,not-an-email", "j3,j3@example.com"]);
	const run = await cohort(["--json", "import", file, "--type", "users", "--no-watch"], env);
	expect(run.code, run.stderr).toBe(0);
	jobId = JSON.parse(run.stdout).job.id;
});

describe("login", () => {
	it("keeps the server and key in a file only its owner can read", () => {
		const file = join(env.XDG_CONFIG_HOME!, "cohort", "login.json");
		expect(statSync(file).mode & 0o777).toBe(0o600);
		expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({
			url: server.base,
			key: expect.stringMatching(/^ck_key_/),
		});
	});

	it("takes the key from stdin, checks it with the server, and refuses a wrong one", async () => {
		const key = JSON.parse(readFileSync(join(env.XDG_CONFIG_HOME!, "cohort", "login.json"), "utf8")).key;
		const other = home();
		const bad = await cohort(["login", "--url", server.base], other, "ck_key_nope.wrong\n");
		expect(bad.code).toBe(1);
		expect(bad.stderr).toContain("The server refused the API key");
		const good = await cohort(["login", "--url", server.base], other, `${key}\n`);
		expect(good.code, good.stderr).toBe(0);
		const list = await cohort(["--json", "jobs", "list"], other);
		expect(JSON.parse(list.stdout).data.map((j: { id: string }) => j.id)).toContain(jobId);
	});
});

describe("jobs", () => {
	it("watch follows a job to its end and exits 1 for failed records, 0 with --allow-failures", async () => {
		const watch = await cohort(["jobs", "watch", jobId], env);
		expect(watch.code).toBe(1);
		expect(watch.stdout).toMatch(new RegExp(`^Job ${jobId} completed`, "m"));
		expect(watch.stdout).toMatch(/^ {2}failed +1$/m);
		const allowed = await cohort(["--json", "jobs", "watch", jobId, "--allow-failures"], env);
		expect(allowed.code).toBe(0);
		expect(JSON.parse(allowed.stdout).counts).toMatchObject({ created: 2, failed: 1 });
	});

	it("list and show print tables, or JSON with --json", async () => {
		const list = await cohort(["jobs", "list"], env);
		expect(list.stdout).toMatch(/^ID +TYPE +STATUS +PROCESSED +FAILED +CREATED$/m);
		expect(list.stdout).toMatch(new RegExp(`^${jobId} +users.import +completed +3/3 +1 `, "m"));
		const show = await cohort(["jobs", "show", jobId], env);
		expect(show.stdout).toMatch(/^status +completed$/m);
		const json = await cohort(["--json", "jobs", "show", jobId], env);
		expect(JSON.parse(json.stdout)).toMatchObject({ id: jobId, counts: { total: 3, failed: 1 } });
	});

	it("errors lists the failed records as a table, NDJSON or a CSV file", async () => {
		const table = await cohort(["jobs", "errors", jobId], env);
		expect(table.stdout).toMatch(/^WHERE +CODE +FIELD +ERROR$/m);
		expect(table.stdout).toMatch(/^line 3 +VALIDATION_ERROR +email +Invalid email format$/m);
		const ndjson = await cohort(["--json", "jobs", "errors", jobId], env);
		const rows = ndjson.stdout
			.trim()
			.split("\n")
			.map((line) => JSON.parse(line));
		expect(rows).toEqual([
			expect.objectContaining({
				line: 3,
				code: "VALIDATION_ERROR",
				field: "email",
				error: "Invalid email format",
			}),
		]);
		const out = join(dir, "report.csv");
		const file = await cohort(["jobs", "errors", jobId, "--csv", "-o", out], env);
		expect(file.code, file.stderr).toBe(0);
		expect(readFileSync(out, "utf8")).toContain("not-an-email");
	});

	it("retry makes a job over the failed records only", async () => {
		const run = await cohort(["--json", "jobs", "retry", jobId, "--watch"], env);
		expect(run.code).toBe(1);
		expect(JSON.parse(run.stdout)).toMatchObject({ counts: { total: 1, failed: 1 } });
	});

	it("cancel stops a running job, and says why it cannot cancel an ended one", async () => {
		// At 60 records a minute a tenant's job sends one chunk (up to 10,000 records) a minute: 15,000 keep it running.
		const paced = await newTenant("paced", { recordsPerMinute: 60 });
		const pacedEnv = { ...home(), COHORT_URL: server.base, COHORT_KEY: paced.key };
		const rows = Array.from({ length: 15_000 }, (_, i) => `p${i},p${i}@example.com`);
		const started = await cohort(
			["--json", "import", csv("paced.csv", rows), "--type", "users", "--no-watch"],
			pacedEnv,
		);
		const id = JSON.parse(started.stdout).job.id;
		const cancel = await cohort(["jobs", "cancel", id], pacedEnv);
		expect(cancel.code, cancel.stderr).toBe(0);
		expect(cancel.stdout).toBe(`Job ${id} cancelled\n`);
		const again = await cohort(["jobs", "cancel", id], pacedEnv);
		expect(again.code).toBe(1);
		expect(again.stderr).toMatch(
			/^error: Job \S+ is already cancelled; only pending or processing jobs can be cancelled \[CONFLICT, request \S+\]$/m,
		);
	});
});

describe("users get", () => {
	it("prints a user, or its JSON", async () => {
		const user = await cohort(["users", "get", "j1"], env);
		expect(user.code, user.stderr).toBe(0);
		expect(user.stdout).toMatch(/^email +j1@example.com$/m);
		const json = await cohort(["--json", "users", "get", "j1"], env);
		expect(JSON.parse(json.stdout)).toMatchObject({ externalId: "j1", email: "j1@example.com" });
	});
});

describe("preview, commit and undo", () => {
	it("import --preview prints the changes, jobs commit writes them, jobs undo takes them back", async () => {
		const own = home();
		const { key } = await newTenant("change");
		const connect = ["--url", server.base, "--key", key];
		const first = csv("people.csv", ["p1,p1@example.com", "p2,p2@example.com"]);
		expect((await cohort([...connect, "import", first, "--type", "users"], own)).code).toBe(0);
		const path = join(dir, "people2.ndjson");
		writeFileSync(path, '{"externalId":"p1","firstName":"Pat"}\n{"externalId":"p3"}\n');
		const preview = await cohort([...connect, "import", path, "--type", "users", "--preview"], own);
		expect(preview.code, preview.stderr).toBe(0);
		expect(preview.stdout).toMatch(/would update 1 records/);
		expect(preview.stdout).toMatch(/line 1 +p1 +firstName +\(none\) +Pat/);
		const previewId = /cohort jobs commit (\S+)`/.exec(preview.stdout)![1]!;

		const commit = await cohort([...connect, "--json", "jobs", "commit", previewId, "--watch"], own);
		expect(commit.code, commit.stderr).toBe(0);
		const committed = JSON.parse(commit.stdout);
		expect(committed).toMatchObject({ status: "completed", commitOf: previewId, counts: { created: 1, updated: 1 } });

		const undo = await cohort([...connect, "--json", "jobs", "undo", committed.id, "--watch"], own);
		expect(undo.code, undo.stderr).toBe(0);
		expect(JSON.parse(undo.stdout)).toMatchObject({ type: "users.undo", status: "completed", counts: { updated: 2 } });
		const again = await cohort([...connect, "jobs", "undo", committed.id], own);
		expect(again.code).toBe(1);
		expect(again.stderr).toContain("was undone already");
	});
});
