// The floor to compare against: the same NDJSON parsed and upserted into a plain SQLite file with
// node:sqlite, using the project's own migrations (same table, same unique indexes), WAL, and one
// transaction per 5,000 rows. No validation, no network, no queue: what the disk and SQLite cost.
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { tenths } from "./scenarios.mjs";

const UPSERT = `INSERT INTO users (tenant_id, external_id, email, email_lower, first_name, last_name, company_id, metadata, created_at, updated_at, src_job, src_line)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (tenant_id, external_id) DO UPDATE SET email = excluded.email, email_lower = excluded.email_lower,
		first_name = excluded.first_name, last_name = excluded.last_name, company_id = excluded.company_id,
		metadata = excluded.metadata, updated_at = excluded.updated_at, src_job = excluded.src_job, src_line = excluded.src_line`;

/** Upserts every line of `ndjson` into `<dir>/reference.sqlite`; returns rows, seconds and rows/s. */
export function sqliteReference(ndjson, { dir, migrations = "migrations/shard", batch = 5_000 }) {
	const file = join(dir, "reference.sqlite");
	rmSync(file, { force: true });
	const db = new DatabaseSync(file);
	try {
		const journal = db.prepare("PRAGMA journal_mode = WAL").get().journal_mode;
		for (const name of readdirSync(migrations)
			.filter((f) => f.endsWith(".sql"))
			.sort()) {
			db.exec(readFileSync(join(migrations, name), "utf8"));
		}
		const synchronous = db.prepare("PRAGMA synchronous").get().synchronous;
		const upsert = db.prepare(UPSERT);
		const started = performance.now();
		const now = new Date().toISOString();
		const text = ndjson.toString("utf8");
		let rows = 0;
		let start = 0;
		const commits = [];
		db.exec("BEGIN");
		while (start < text.length) {
			let end = text.indexOf("\n", start);
			if (end === -1) end = text.length;
			const line = text.slice(start, end);
			start = end + 1;
			if (line.trim() === "") continue;
			const u = JSON.parse(line);
			rows++;
			upsert.run(
				"ten_ref",
				u.externalId,
				u.email,
				u.email.toLowerCase(),
				u.firstName,
				u.lastName,
				u.companyId,
				JSON.stringify(u.metadata),
				now,
				now,
				"job_ref",
				rows,
			);
			if (rows % batch === 0) {
				db.exec("COMMIT; BEGIN");
				commits.push([(performance.now() - started) / 1000, rows]);
			}
		}
		db.exec("COMMIT");
		const seconds = (performance.now() - started) / 1000;
		commits.push([seconds, rows]);
		const stored = db.prepare("SELECT count(*) AS n FROM users").get().n;
		return {
			rows,
			stored,
			seconds,
			recordsPerSecond: rows / seconds,
			mbPerSecond: ndjson.length / 1e6 / seconds,
			journal,
			synchronous,
			batch,
			tenths: tenths(commits, rows),
		};
	} finally {
		db.close();
	}
}
