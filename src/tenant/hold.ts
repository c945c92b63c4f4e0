/**
 * A move's hold on the tenant's jobs (src/jobs/move.ts); owns the `move_hold` table. While held, no
 * pending job starts and the running job sends no new chunks, so that once the chunks already in the
 * queue have reported, nothing writes the tenant's records until the move switches its shard. Held
 * jobs keep their place and go on from the new shard when the move releases them.
 */
export class MoveHold {
	constructor(private readonly sql: SqlStorage) {}

	/** The move holding the tenant's jobs, if one does. */
	holder(): string | undefined {
		return this.sql.exec<{ move_id: string }>("SELECT move_id FROM move_hold").toArray()[0]?.move_id;
	}

	take(moveId: string): void {
		this.sql.exec(
			"INSERT INTO move_hold (id, move_id) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET move_id = excluded.move_id",
			moveId,
		);
	}

	/** Only the move that holds the jobs releases them; a late step of an older move changes nothing. */
	release(moveId: string): void {
		this.sql.exec("DELETE FROM move_hold WHERE move_id = ?", moveId);
	}
}
