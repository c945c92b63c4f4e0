import { and, desc, eq, inArray, lt, notInArray, sql } from "drizzle-orm";
import type { Db } from "../client";
import { type MovePhase, tenantMoves, tenants } from "../control-schema";

export type Move = typeof tenantMoves.$inferSelect;

/** Phases after which a move does nothing more. */
const ENDED_PHASES: MovePhase[] = ["completed", "failed"];

export async function insertMove(database: Db, row: typeof tenantMoves.$inferInsert): Promise<void> {
	await database.insert(tenantMoves).values(row);
}

export async function findMove(database: Db, id: string): Promise<Move | undefined> {
	const [row] = await database.select().from(tenantMoves).where(eq(tenantMoves.id, id));
	return row;
}

/** The tenant's latest move, ended or not. */
export async function latestMove(database: Db, tenantId: string): Promise<Move | undefined> {
	const [row] = await database
		.select()
		.from(tenantMoves)
		.where(eq(tenantMoves.tenantId, tenantId))
		.orderBy(desc(tenantMoves.createdAt))
		.limit(1);
	return row;
}

/** Moves that have not ended, of every tenant. */
export function runningMoves(database: Db): Promise<Move[]> {
	return database.select().from(tenantMoves).where(notInArray(tenantMoves.phase, ENDED_PHASES));
}

/** When the tenant's last move changed its placement, if one did. */
export async function lastSwitch(database: Db, tenantId: string): Promise<string | undefined> {
	const [row] = await database
		.select({ at: sql<string | null>`max(${tenantMoves.switchedAt})` })
		.from(tenantMoves)
		.where(eq(tenantMoves.tenantId, tenantId));
	return row?.at ?? undefined;
}

/**
 * Takes the move for one step when no other step holds it (its hold is older than `staleBefore`, or
 * released): true for exactly one of several steps started at once.
 */
export async function claimMove(database: Db, id: string, now: number, staleBefore: number): Promise<boolean> {
	const rows = await database
		.update(tenantMoves)
		.set({ heartbeat: now })
		.where(
			and(eq(tenantMoves.id, id), lt(tenantMoves.heartbeat, staleBefore), notInArray(tenantMoves.phase, ENDED_PHASES)),
		)
		.returning({ id: tenantMoves.id });
	return rows.length > 0;
}

/** Saves a step's progress while it still holds the move (its hold is `held`); false when another step took it over. */
export async function saveMove(
	database: Db,
	id: string,
	held: number,
	changes: Partial<Omit<Move, "id" | "tenantId">>,
): Promise<boolean> {
	const rows = await database
		.update(tenantMoves)
		.set(changes)
		.where(and(eq(tenantMoves.id, id), eq(tenantMoves.heartbeat, held)))
		.returning({ id: tenantMoves.id });
	return rows.length > 0;
}

/** Pauses (until `until`, epoch ms) or resumes (null) the tenant's write requests. */
export async function pauseWrites(database: Db, tenantId: string, until: number | null): Promise<void> {
	await database.update(tenants).set({ writesPausedUntil: until }).where(eq(tenants.id, tenantId));
}

/**
 * The switch, in one control-database batch: the tenant's placement, its writes resumed, and the move
 * on to cleanup. Only while the step holds the move; the batch is one transaction.
 */
export async function switchPlacement(database: Db, move: Move, held: number, now: string): Promise<void> {
	await database.batch([
		database
			.update(tenants)
			.set({ shard: move.toShard, writesPausedUntil: null })
			.where(
				and(
					eq(tenants.id, move.tenantId),
					inArray(
						tenants.id,
						database
							.select({ id: tenantMoves.tenantId })
							.from(tenantMoves)
							.where(and(eq(tenantMoves.id, move.id), eq(tenantMoves.heartbeat, held))),
					),
				),
			),
		database
			.update(tenantMoves)
			.set({ phase: "cleanup", switchedAt: now, cursor: null, passChanges: 0 })
			.where(and(eq(tenantMoves.id, move.id), eq(tenantMoves.heartbeat, held))),
	]);
}
