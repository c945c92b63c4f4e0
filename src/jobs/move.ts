import { type Db, db, records } from "../db/client";
import { copyPage, deletePage, type MoveScope } from "../db/move/pass";
import { MOVED_TABLES } from "../db/move/tables";
import type { Move } from "../db/queries/moves";
import { claimMove, findMove, pauseWrites, saveMove, switchPlacement } from "../db/queries/moves";
import { logEvent } from "../log";
import { tenantObject } from "../services/tenant";

/*
 * A tenant's move between record shards, one bounded step per queue message (the next step is a new
 * message). The phases, each recorded in the control database before the next begins:
 *
 *   copy ──► catchup ──► pausing ──switch──► cleanup ──► completed
 *     └─────────┴───────────┴──(a step failed MOVE_ATTEMPTS times)──► failed (rolled back)
 *
 * copy:    one pass over every moved table (db/move/pass.ts), in pages, writing the target.
 * catchup: passes again while others write; each finds what changed (and what went) since.
 * pausing: the tenant object holds its jobs, write requests get 503; once the chunks in the queue
 *          have reported, passes until one finds nothing, then the switch: placement, writes resumed,
 *          jobs released. Reads go to the old shard until the switch, and to the new one after.
 * cleanup: the tenant's rows are deleted from the old shard in pages.
 * A crash anywhere resumes the phase from its saved cursor; a failure before the switch deletes
 * what the target got and leaves the tenant where it was. Never both shards, never neither.
 */

/** How long one step works before handing over to the next message. */
const STEP_MS = 5_000;
/** A step whose hold is older than this has died: another may take the move. */
export const MOVE_LEASE_MS = 60_000;
/** A catch-up pass that changed at most this many rows is the last before pausing. */
const SETTLED_ROWS = 2_000;
/** How long write requests are told to wait, renewed while the pause lasts. */
const PAUSE_MS = 10_000;
/** Time for a write request that authenticated before the pause to commit before the final pass. */
const GRACE_MS = 1_000;
/** Failed attempts of one step after which a move that has not switched rolls back. */
const MOVE_ATTEMPTS = 4;

export type MoveStep = { again?: number };

/** Runs one step of move `id`; `again` is the delay (s) before the next one. */
export async function moveStep(env: Env, id: string, attempts = 1): Promise<MoveStep> {
	const control = db(env);
	const now = Date.now();
	if (!(await claimMove(control, id, now, now - MOVE_LEASE_MS))) return {};
	const move = (await findMove(control, id))!;
	const step = new Step(env, move, now);
	try {
		const again = await step.run();
		await step.release();
		return { again };
	} catch (error) {
		if (attempts >= MOVE_ATTEMPTS && (await step.rollBack(String(error)))) return {};
		await step.release();
		throw error;
	}
}

class Step {
	private readonly control: Db;
	private readonly deadline: number;
	constructor(
		private readonly env: Env,
		private move: Move,
		private held: number,
	) {
		this.control = db(env);
		this.deadline = held + STEP_MS;
	}

	private get from() {
		return records(this.env, this.move.fromShard);
	}
	private get to() {
		return records(this.env, this.move.toShard);
	}

	async run(): Promise<number | undefined> {
		switch (this.move.phase) {
			case "copy":
			case "catchup": {
				const scope = await this.scope();
				if (!(await this.pass(scope, () => Date.now() < this.deadline))) return 0;
				const settled = this.move.phase === "catchup" && this.move.passChanges <= SETTLED_ROWS;
				await this.save({ phase: settled ? "pausing" : "catchup", cursor: null, passChanges: 0 });
				return 0;
			}
			case "pausing":
				return this.pausing();
			case "cleanup":
				return this.cleanup();
			default:
				return undefined;
		}
	}

	/** The tenant as the moved tables name it; its job ids come from its object. */
	private async scope(): Promise<MoveScope> {
		return { tenantId: this.move.tenantId, jobIds: await tenantObject(this.env, this.move.tenantId).jobIds() };
	}

	/**
	 * Goes on with the current pass from its cursor while `more()`; true when the pass is done. Saves
	 * the cursor after every page, so a crash repeats at most one page (which writes the same again).
	 */
	private async pass(scope: MoveScope, more: () => boolean): Promise<boolean> {
		let cursor = this.move.cursor ?? { table: 0, after: null };
		while (cursor.table < MOVED_TABLES.length) {
			if (!more()) return false;
			const page = await copyPage(
				this.from,
				this.to,
				MOVED_TABLES[cursor.table]!,
				scope,
				this.move.shift,
				cursor.after,
			);
			cursor = page.after ? { table: cursor.table, after: page.after } : { table: cursor.table + 1, after: null };
			await this.save({
				cursor,
				passChanges: this.move.passChanges + page.changes,
				rowsCopied: this.move.rowsCopied + page.changes,
			});
		}
		return true;
	}

	private async pausing(): Promise<number | undefined> {
		const { tenantId } = this.move;
		const tenant = tenantObject(this.env, tenantId);
		const { inFlight, idBound } = await tenant.holdForMove(this.move.id);
		if (idBound) {
			if (this.move.cursor !== null) {
				await this.pauseWrites(null);
				await this.save({ cursor: null });
			}
			return 5;
		}
		const pausedAt = this.move.cursor === null ? Date.now() : undefined;
		await this.pauseWrites(Date.now() + PAUSE_MS);
		if (pausedAt !== undefined) {
			// The first pausing step only starts the pause: the final passes begin after the grace.
			await this.save({ cursor: { table: 0, after: null }, passChanges: 0 });
			return GRACE_MS / 1000;
		}
		if (inFlight > 0) return 1;
		const scope = await this.scope();
		for (;;) {
			await this.save({ cursor: { table: 0, after: null }, passChanges: 0 });
			await this.pass(scope, () => true);
			if (this.move.passChanges === 0) break;
		}
		await switchPlacement(this.control, this.move, this.held, new Date().toISOString());
		await tenant.releaseMove(this.move.id);
		logEvent("move", {
			move: this.move.id,
			tenant: tenantId,
			from: this.move.fromShard,
			to: this.move.toShard,
			switched: true,
		});
		this.move = (await findMove(this.control, this.move.id))!;
		return 0;
	}

	private async cleanup(): Promise<number | undefined> {
		// Again in case the step that switched died before releasing the jobs; releasing twice changes nothing.
		await tenantObject(this.env, this.move.tenantId).releaseMove(this.move.id);
		const scope = await this.scope();
		let table = this.move.cursor?.table ?? 0;
		while (table < MOVED_TABLES.length) {
			if (Date.now() >= this.deadline) return 0;
			const deleted = await deletePage(this.from, MOVED_TABLES[table]!, scope);
			if (deleted === 0) table++;
			await this.save({ cursor: { table, after: null }, rowsDeleted: this.move.rowsDeleted + deleted });
		}
		await this.save({ phase: "completed", completedAt: new Date().toISOString() });
		logEvent("move", { move: this.move.id, tenant: this.move.tenantId, completed: true });
		return undefined;
	}

	/** Saves progress and renews the hold; a step that lost its hold stops here. */
	private async save(changes: Partial<Move>): Promise<void> {
		const renewed = Date.now();
		if (!(await saveMove(this.control, this.move.id, this.held, { ...changes, heartbeat: renewed }))) {
			throw new Error(`Move ${this.move.id} is being run by another step`);
		}
		this.held = renewed;
		this.move = { ...this.move, ...changes, heartbeat: renewed };
	}

	/**
	 * A move that failed before its switch: the target loses what it got, and the tenant goes on where
	 * it was. False once the move has switched: from there it can only go on.
	 */
	async rollBack(error: string): Promise<boolean> {
		const stored = await findMove(this.control, this.move.id);
		if (!stored || stored.switchedAt || stored.phase === "cleanup") return false;
		const tenant = tenantObject(this.env, this.move.tenantId);
		const scope = await this.scope();
		for (const table of MOVED_TABLES) while ((await deletePage(this.to, table, scope)) > 0);
		await this.pauseWrites(null);
		await tenant.releaseMove(this.move.id);
		await this.save({ phase: "failed", error, completedAt: new Date().toISOString() });
		logEvent("move", { move: this.move.id, tenant: this.move.tenantId, failed: error });
		return true;
	}

	/** Pauses (until `until`, epoch ms) or resumes (null) the tenant's writes; its object caches the pause with the keys. */
	private async pauseWrites(until: number | null): Promise<void> {
		await pauseWrites(this.control, this.move.tenantId, until);
		await tenantObject(this.env, this.move.tenantId).forgetKeys();
	}

	/** Lets the next message take the move at once. */
	async release(): Promise<void> {
		await saveMove(this.control, this.move.id, this.held, { heartbeat: 0 });
	}
}
