import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { cohort, home, newTenant, scratchDir, server } from "./helpers";

let env: Record<string, string>;
const dir = scratchDir("errors");
const file = join(dir, "users.ndjson");
writeFileSync(file, `${JSON.stringify({ externalId: "e1", email: "e1@example.com" })}\n`);

/** A loopback port that nothing listens on: bound, noted, closed. */
function closedPort(): Promise<number> {
	return new Promise((resolve) => {
		const probe = createServer().listen(0, "127.0.0.1", () => {
			const { port } = probe.address() as { port: number };
			probe.close(() => resolve(port));
		});
	});
}

beforeAll(async () => {
	env = { ...home(), COHORT_URL: server.base, COHORT_KEY: (await newTenant()).key };
});

it("says in one line that the key was refused, and exits 1", async () => {
	const run = await cohort(["jobs", "list"], { ...env, COHORT_KEY: "ck_key_nope.notasecret" });
	expect(run.code).toBe(1);
	expect(run.stderr).toMatch(
		/^error: The server refused the API key \(UNAUTHORIZED, request \S+\)\. Run `cohort login` with a valid key, or set COHORT_KEY\.\n$/,
	);
});

it("says the server cannot be reached, naming it and the reason, without retrying", async () => {
	const url = `http://127.0.0.1:${await closedPort()}`;
	const run = await cohort(["import", file, "--type", "users"], { ...env, COHORT_URL: url });
	expect(run.code).toBe(1);
	expect(run.stderr).toContain(`error: Cannot reach the server at ${url} (ECONNREFUSED). Is it running?`);
	expect(run.stderr).not.toContain("retrying");
});

it("treats a missing file, an unknown --type and a file of unknown format as usage errors (exit 2)", async () => {
	const missing = await cohort(["import", join(dir, "nope.csv"), "--type", "users"], env);
	expect(missing.code).toBe(2);
	expect(missing.stderr).toBe(`error: No such file: ${join(dir, "nope.csv")}\n`);

	const type = await cohort(["import", file, "--type", "people"], env);
	expect(type.code).toBe(2);
	expect(type.stderr).toContain(
		"error: option '-t, --type <type>' argument 'people' is invalid. Allowed choices are users, companies, enrollments.",
	);

	const odd = join(dir, "users.txt");
	writeFileSync(odd, "externalId\n");
	const format = await cohort(["import", odd, "--type", "users"], env);
	expect(format.code).toBe(2);
	expect(format.stderr).toContain("Cannot tell the format of");
});

it("asks for a login when there is no server or key", async () => {
	const run = await cohort(["jobs", "list"], home());
	expect(run.code).toBe(2);
	expect(run.stderr).toBe("error: No server: run `cohort login --url URL`, or set COHORT_URL.\n");
});

it("passes the server's refusal of a file on, with its details", async () => {
	const csv = join(dir, "bad.csv");
	writeFileSync(csv, "externalId,shoeSize\nx1,42\n");
	const run = await cohort(["import", csv, "--type", "users"], env);
	expect(run.code).toBe(1);
	expect(run.stderr).toMatch(/^error: .*shoeSize.*\[VALIDATION_ERROR, request \S+\]$/m);
});
