// Bytes a record row takes on a shard, tables and indexes together: the shard migrations applied to a
// fresh SQLite file (D1 is SQLite), N users with the benchmark's records plus N enrollments written as
// the service writes them, then the file's pages counted. `node bench/row-bytes.mjs [N]`.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { userRecord } from "./data.mjs";

const n = Number(process.argv[2] ?? 100_000);
const db = new DatabaseSync(":memory:");
for (const name of readdirSync("migrations/shard")
	.filter((f) => f.endsWith(".sql"))
	.sort()) {
	db.exec(readFileSync(join("migrations/shard", name), "utf8").replaceAll("--> statement-breakpoint", ""));
}
const bytes = () => db.prepare("PRAGMA page_count").get().page_count * db.prepare("PRAGMA page_size").get().page_size;
const now = new Date().toISOString();
const empty = bytes();

db.exec("BEGIN");
const user = db.prepare(
	`INSERT INTO users (tenant_id, external_id, email, email_lower, first_name, last_name, company_id, metadata, created_at, updated_at, src_job, src_line)
		VALUES ('ten_0123456789abcdef', ?, ?, lower(?), ?, ?, ?, ?, ?, ?, 'job_0123456789abcdef', ?)`,
);
for (let i = 0; i < n; i++) {
	const r = userRecord(i);
	user.run(
		r.externalId,
		r.email,
		r.email,
		r.firstName,
		r.lastName,
		r.companyId ?? null,
		JSON.stringify(r.metadata ?? {}),
		now,
		now,
		i + 1,
	);
}
db.exec("COMMIT");
const withUsers = bytes();

db.exec("BEGIN");
const enrollment = db.prepare(
	"INSERT INTO enrollments (tenant_id, user_id, kind, item_id, source, created_at) VALUES ('ten_0123456789abcdef', ?, 'course', ?, NULL, ?)",
);
for (let i = 1; i <= n; i++) enrollment.run(i, `course-${i % 50}`, now);
db.exec("COMMIT");
const withEnrollments = bytes();

console.log(
	JSON.stringify({
		rows: n,
		bytesPerUser: Math.round((withUsers - empty) / n),
		bytesPerEnrollment: Math.round((withEnrollments - withUsers) / n),
	}),
);
