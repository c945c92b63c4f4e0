import { db, records, shardDatabases } from "../db/client";
import { chooseShift } from "../db/move/pass";
import { insertMove, latestMove, type Move, runningMoves } from "../db/queries/moves";
import { findTenant } from "../db/queries/tenants";
import { ApiError } from "../errors";
import { MOVE_LEASE_MS } from "../jobs/move";
import type { MoveMessage } from "../schemas/messages";
import type { TenantMove } from "../schemas/moves";

/**
 * Starts moving a tenant's records to `shard` (src/jobs/move.ts runs it). One move at a time in the
 * whole service: the id band a move picks on its target (pass.ts) is free only while no other move
 * writes there.
 */
export async function startMove(env: Env, tenantId: string, shard: number): Promise<TenantMove> {
	const control = db(env);
	const tenant = await findTenant(control, tenantId);
	if (!tenant) throw new ApiError("NOT_FOUND", `Tenant ${tenantId} not found`);
	const shards = shardDatabases(env).length;
	if (shard >= shards) {
		throw new ApiError("VALIDATION_ERROR", `There is no shard ${shard}: the shards are 0 to ${shards - 1}`, [
			{ path: "shard", message: `No such shard; the shards are 0 to ${shards - 1}` },
		]);
	}
	if (tenant.shard === shard) throw new ApiError("CONFLICT", `Tenant ${tenantId} is on shard ${shard} already`);
	const [running] = await runningMoves(control);
	if (running) {
		const whose = running.tenantId === tenantId ? "this tenant" : `tenant ${running.tenantId}`;
		throw new ApiError("CONFLICT", `Move ${running.id} of ${whose} is running; start another once it has ended`);
	}
	const now = new Date();
	const move: Move = {
		id: `mov_${crypto.randomUUID().replaceAll("-", "")}`,
		tenantId,
		fromShard: tenant.shard,
		toShard: shard,
		phase: "copy",
		shift: await chooseShift(records(env, tenant.shard), records(env, shard)),
		cursor: null,
		passChanges: 0,
		rowsCopied: 0,
		rowsDeleted: 0,
		error: null,
		createdAt: now.toISOString(),
		switchedAt: null,
		completedAt: null,
		heartbeat: 0,
	};
	await insertMove(control, move);
	await env.CHUNKS.send({ kind: "move", moveId: move.id } satisfies MoveMessage);
	return moveView(move);
}

/** The tenant's latest move. */
export async function currentMove(env: Env, tenantId: string): Promise<TenantMove> {
	const move = await latestMove(db(env), tenantId);
	if (!move) throw new ApiError("NOT_FOUND", `Tenant ${tenantId} has never been moved`);
	return moveView(move);
}

/**
 * Sends a step to every move whose steps stopped (a crash lost its message, or its retries ran out):
 * the minute sweep. A move that a step still holds is left to it.
 */
export async function resumeMoves(env: Env, now: number): Promise<void> {
	const stalled = (await runningMoves(db(env))).filter((m) => m.heartbeat < now - MOVE_LEASE_MS);
	for (const move of stalled) await env.CHUNKS.send({ kind: "move", moveId: move.id } satisfies MoveMessage);
}

function moveView(move: Move): TenantMove {
	const status = move.phase === "completed" ? "completed" : move.phase === "failed" ? "failed" : "processing";
	return {
		id: move.id,
		type: "tenant.move",
		tenantId: move.tenantId,
		status,
		phase: move.phase,
		fromShard: move.fromShard,
		toShard: move.toShard,
		rowsCopied: move.rowsCopied,
		rowsDeleted: move.rowsDeleted,
		errorMessage: move.error,
		createdAt: move.createdAt,
		switchedAt: move.switchedAt,
		completedAt: move.completedAt,
		links: { self: `/v1/tenants/${move.tenantId}/move` },
	};
}
