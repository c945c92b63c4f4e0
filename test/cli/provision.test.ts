import { execFileSync } from "node:child_process";
import {
	chmodSync,
	copyFileSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without type declarations
import { withDatabaseId } from "../../scripts/provision.mjs";

const ROOT = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "cohort-provision-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run provision", () => {
	it("--dry-run prints every wrangler command, in order, and runs none of them", () => {
		copyFileSync(join(ROOT, "wrangler.toml"), join(dir, "wrangler.toml"));
		// A wrangler first on PATH that leaves a mark if anything calls it.
		const bin = join(dir, "bin");
		mkdirSync(bin);
		writeFileSync(join(bin, "wrangler"), `#!/bin/sh\necho called > "${join(dir, "called")}"\nexit 1\n`);
		chmodSync(join(bin, "wrangler"), 0o755);
		const out = execFileSync(
			process.execPath,
			[join(ROOT, "scripts", "provision.mjs"), "--dry-run", "--config", "wrangler.toml"],
			{
				cwd: dir,
				encoding: "utf8",
				env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` },
			},
		);
		expect(out.trim().split("\n")).toEqual([
			"wrangler d1 create cohort",
			"wrangler d1 create cohort-shard-0",
			"wrangler d1 create cohort-shard-1",
			"wrangler d1 create cohort-shard-2",
			"wrangler r2 bucket create cohort-files",
			"wrangler queues create cohort-chunks",
			"wrangler queues create cohort-chunks-dlq",
			"wrangler queues create cohort-notify",
			"wrangler queues create cohort-notify-dlq",
			"wrangler d1 migrations apply DB --remote",
			"wrangler d1 migrations apply DB_SHARD_0 --remote",
			"wrangler d1 migrations apply DB_SHARD_1 --remote",
			"wrangler d1 migrations apply DB_SHARD_2 --remote",
			"write .secrets.env: random ADMIN_API_KEY, NOTIFY_WEBHOOK_SECRET, DOWNLOAD_SIGNING_KEY",
		]);
		expect(existsSync(join(dir, "called"))).toBe(false);
		expect(existsSync(join(dir, ".secrets.env"))).toBe(false);
		expect(readFileSync(join(dir, "wrangler.toml"), "utf8")).toBe(readFileSync(join(ROOT, "wrangler.toml"), "utf8"));
	});

	it("a created database's id replaces its own placeholder and no other", () => {
		const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
		const id = "0123abcd-0000-4000-8000-00000000beef";
		const updated = withDatabaseId(toml, "cohort-shard-1", id);
		expect(updated).toContain(`database_name = "cohort-shard-1"\ndatabase_id = "${id}"`);
		expect(updated.replace(id, "00000000-0000-0000-0000-000000000002")).toBe(toml);
		expect(() => withDatabaseId(toml, "cohort-shard-9", id)).toThrow("cohort-shard-9");
	});
});
