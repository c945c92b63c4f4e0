import { and, eq, gt, isNull, lte } from "drizzle-orm";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";
import { db } from "../db/client";
import { apiKeys, sessions, tenants } from "../db/control-schema";
import { ApiError } from "../errors";
import { hashSecret, randomId } from "./keys";

export const SESSION_COOKIE = "cohort_session";
const SESSION_SECONDS = 12 * 60 * 60;
const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];

/** Any router of the Worker: the API's and the dashboard's carry different variables. */
type WorkerEnv = { Bindings: Env };

// Path=/ because the same cookie authenticates the dashboard's calls to /v1. SameSite=Strict keeps
// other sites from sending it at all; the Origin check below covers same-site writes as well.
const cookieOptions: CookieOptions = { path: "/", httpOnly: true, secure: true, sameSite: "Strict" };

/** A write from a cookie-carrying browser must come from a page of this origin (no Origin, no write). */
export function sameOrigin<E extends WorkerEnv>(c: Context<E>): boolean {
	return c.req.header("Origin") === new URL(c.req.url).origin;
}

/** Makes a session for a key the caller has verified and sets its cookie; expired sessions are swept on the way. */
export async function startSession<E extends WorkerEnv>(c: Context<E>, keyId: string): Promise<void> {
	const token = randomId("ses", 32);
	const now = new Date();
	const expiresAt = new Date(now.getTime() + SESSION_SECONDS * 1000).toISOString();
	const database = db(c.env);
	await database.batch([
		database.delete(sessions).where(lte(sessions.expiresAt, now.toISOString())),
		database
			.insert(sessions)
			.values({ tokenHash: await hashSecret(token), keyId, createdAt: now.toISOString(), expiresAt }),
	]);
	setCookie(c, SESSION_COOKIE, token, { ...cookieOptions, maxAge: SESSION_SECONDS });
}

export async function endSession<E extends WorkerEnv>(c: Context<E>): Promise<void> {
	const token = getCookie(c, SESSION_COOKIE);
	if (token)
		await db(c.env)
			.delete(sessions)
			.where(eq(sessions.tokenHash, await hashSecret(token)));
	deleteCookie(c, SESSION_COOKIE, cookieOptions);
}

/**
 * The key behind the request's session cookie, as the key middleware reads a key row, or undefined
 * (no cookie, an expired or ended session, a revoked key, or an Authorization header, which wins).
 */
export async function sessionKey<E extends WorkerEnv>(c: Context<E>) {
	const token = getCookie(c, SESSION_COOKIE);
	if (!token || c.req.header("Authorization")) return undefined;
	const [row] = await db(c.env)
		.select({
			key: apiKeys,
			limits: tenants.limits,
			shard: tenants.shard,
			writesPausedUntil: tenants.writesPausedUntil,
		})
		.from(sessions)
		.innerJoin(apiKeys, eq(apiKeys.id, sessions.keyId))
		.innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
		.where(
			and(
				eq(sessions.tokenHash, await hashSecret(token)),
				gt(sessions.expiresAt, new Date().toISOString()),
				isNull(apiKeys.revokedAt),
			),
		);
	if (row && !SAFE_METHODS.includes(c.req.method) && !sameOrigin(c)) {
		throw new ApiError("FORBIDDEN", "A write with the session cookie must come from a page of this origin");
	}
	return row;
}
