import { DurableObject } from "cloudflare:workers";
import type { TenantLimits } from "../db/schema";
import { type BucketState, type RateDecision, takeToken } from "./bucket";

/**
 * One object per tenant, addressed by tenant id. It owns the state that must be serialized per
 * tenant: today the request token bucket, and the tenant's job queue and progress as the job
 * engine grows. All state lives in the object's SQLite storage, so eviction loses nothing.
 */
export class TenantObject extends DurableObject<Env> {
	private readonly sql: SqlStorage;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		this.sql.exec(
			"CREATE TABLE IF NOT EXISTS bucket (id INTEGER PRIMARY KEY CHECK (id = 1), tokens REAL NOT NULL, updated_at INTEGER NOT NULL)",
		);
	}

	/** Synchronous from read to write, so concurrent requests cannot interleave inside it. */
	takeRequestToken(limits: TenantLimits, now = Date.now()): RateDecision {
		const row = this.sql.exec<{ tokens: number; updated_at: number }>("SELECT tokens, updated_at FROM bucket").toArray()[0];
		const current: BucketState | undefined = row && { tokens: row.tokens, updatedAt: row.updated_at };
		const { state, decision } = takeToken(current, limits, now);
		this.sql.exec(
			"INSERT INTO bucket (id, tokens, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at",
			state.tokens,
			state.updatedAt,
		);
		return decision;
	}

	/** New limits apply from the next request; a lowered burst caps the tokens already held. */
	applyLimits(limits: TenantLimits): void {
		if (limits.burst !== undefined) this.sql.exec("UPDATE bucket SET tokens = MIN(tokens, ?)", limits.burst);
	}
}

export function tenantObject(env: Env, tenantId: string): DurableObjectStub<TenantObject> {
	return env.TENANT.get(env.TENANT.idFromName(tenantId));
}
