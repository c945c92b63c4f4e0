/**
 * The object's SQLite schema as an append-only list: step N runs once, in order, in one transaction
 * with the version it leaves in `_migrations`. A shipped step is never edited; a change is a new step.
 */
const STEPS: readonly string[] = [
	// 1: the schema objects had before it was versioned, hence IF NOT EXISTS.
	`CREATE TABLE IF NOT EXISTS bucket (id INTEGER PRIMARY KEY CHECK (id = 1), tokens REAL NOT NULL, updated_at INTEGER NOT NULL);
	CREATE TABLE IF NOT EXISTS jobs (
		id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, type TEXT NOT NULL, description TEXT NOT NULL,
		status TEXT NOT NULL, spec TEXT NOT NULL, created_at TEXT NOT NULL, started_at TEXT, completed_at TEXT,
		error_message TEXT, total INTEGER NOT NULL, created INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0,
		skipped INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0);
	CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, seq);
	CREATE TABLE IF NOT EXISTS chunks (
		job_id TEXT NOT NULL, idx INTEGER NOT NULL, first_line INTEGER NOT NULL,
		state TEXT NOT NULL, sent_at INTEGER, records INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (job_id, idx));
	CREATE TABLE IF NOT EXISTS announced (job_id TEXT PRIMARY KEY);
	CREATE TABLE IF NOT EXISTS settings (id INTEGER PRIMARY KEY CHECK (id = 1), limits TEXT NOT NULL);
	CREATE TABLE IF NOT EXISTS pace (id INTEGER PRIMARY KEY CHECK (id = 1), tokens REAL NOT NULL, updated_at INTEGER NOT NULL);`,
	// 2: ended jobs wait in an outbox until announced, instead of a list of those announced.
	`CREATE TABLE outbox (job_id TEXT PRIMARY KEY);
	INSERT INTO outbox (job_id) SELECT id FROM jobs
		WHERE status IN ('completed', 'failed', 'cancelled') AND id NOT IN (SELECT job_id FROM announced);
	DROP TABLE announced;`,
	// 3: a queued chunk is sent again when due (it stalled, or its send failed and waits out a backoff).
	`ALTER TABLE chunks ADD COLUMN due_at INTEGER;
	ALTER TABLE chunks ADD COLUMN unsent_since INTEGER;
	UPDATE chunks SET due_at = sent_at + 120000 WHERE state = 'queued';`,
	// 4: when each chunk reported, so the stall timeout can follow the recent chunk times.
	`ALTER TABLE chunks ADD COLUMN done_at INTEGER;
	CREATE INDEX chunks_done ON chunks (done_at) WHERE done_at IS NOT NULL;`,
	// 5: an outbox event stays until the queue accepts it, and is tried again when due.
	`ALTER TABLE outbox ADD COLUMN due_at INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE outbox ADD COLUMN failing_since INTEGER;`,
	// 6: records found equal to what is stored are counted apart from updated ones.
	"ALTER TABLE jobs ADD COLUMN unchanged INTEGER NOT NULL DEFAULT 0;",
	// 7: what each job used of the resources billed by the operation.
	`ALTER TABLE jobs ADD COLUMN d1_rows_read INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE jobs ADD COLUMN d1_rows_written INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE jobs ADD COLUMN r2_class_a INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE jobs ADD COLUMN r2_class_b INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE jobs ADD COLUMN queue_operations INTEGER NOT NULL DEFAULT 0;`,
	// 8: a full sync's last step is a chunk of its own (step 'deactivate'), and its job counts the users it deactivated.
	`ALTER TABLE jobs ADD COLUMN deactivated INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE chunks ADD COLUMN step TEXT;`,
	// 9: a move between record shards holds the tenant's jobs while it switches.
	"CREATE TABLE move_hold (id INTEGER PRIMARY KEY CHECK (id = 1), move_id TEXT NOT NULL);",
];

export function migrate(storage: DurableObjectStorage): void {
	const { sql } = storage;
	storage.transactionSync(() => {
		sql.exec(
			"CREATE TABLE IF NOT EXISTS _migrations (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
		);
		const done = sql.exec<{ version: number }>("SELECT version FROM _migrations").toArray()[0]?.version ?? 0;
		if (done >= STEPS.length) return;
		for (const step of STEPS.slice(done)) sql.exec(step);
		sql.exec(
			"INSERT INTO _migrations (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version",
			STEPS.length,
		);
	});
}
