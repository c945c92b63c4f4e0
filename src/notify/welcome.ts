import type { Db } from "../db/client";
import { tenantRecords } from "../db/placement";
import {
	acquireLease,
	claimQuery,
	nextWelcomeDue,
	releaseLease,
	renewLease,
	settleWelcomes,
	type WelcomeRow,
} from "../db/queries/welcomes";
import { postSigned } from "./sign";

/**
 * How long a delivery loop's hold on its tenant and on the rows it claimed lasts without renewal.
 * The loop renews it as it works, so this is how soon a dead loop's rows come free again.
 */
export const LEASE_MS = 20_000;
const RENEW_MS = 5_000;
/** One step sends at most this many pages, for about this long; the rest goes to a fresh message behind other tenants'. */
const STEP_PAGES = 10;
const STEP_MS = 10_000;
const PAGE = 100;
const PAGE_WITHOUT_URL = 1_000;
/** POSTs in flight per loop; the platform opens at most 6 connections per invocation and queues the rest. */
const PARALLEL = 16;
/** A message a receiver refused this often is given up (`failedAt`), after about half an hour of backoff. */
export const MAX_ATTEMPTS = 10;
const BACKOFF = { baseMs: 5_000, maxMs: 600_000, maxAttempts: MAX_ATTEMPTS };

/** The id a receiver deduplicates on: one per welcome message, the same on every re-send. */
const welcomeDeliveryId = (notificationId: number) => `ntf_${notificationId}`;

export async function claim(database: Db, tenantId: string, limit: number, now = Date.now()): Promise<WelcomeRow[]> {
	const rows = await claimQuery(database, tenantId, limit, now, now + LEASE_MS);
	return rows.sort((a, b) => a.id - b.id);
}

/** POSTs each row to NOTIFY_WEBHOOK_URL, a few at a time; without a URL, storing was the delivery. */
async function post(env: Env, tenantId: string, rows: WelcomeRow[]) {
	const url = env.NOTIFY_WEBHOOK_URL;
	if (!url) return { delivered: rows.map((r) => r.id), refused: [] };
	const delivered: number[] = [];
	const refused: number[] = [];
	let lastError: unknown;
	let next = 0;
	const worker = async () => {
		while (next < rows.length) {
			const { id, kind, email, externalId, inviteMessage, createdAt } = rows[next++]!;
			const notification = { id, kind, email, externalId, inviteMessage, createdAt };
			try {
				await postSigned(
					url,
					env.NOTIFY_WEBHOOK_SECRET,
					welcomeDeliveryId(id),
					{ type: kind, tenantId, notification },
					env,
				);
				delivered.push(id);
			} catch (error) {
				refused.push(id);
				lastError = error;
			}
		}
	};
	await Promise.all(Array.from({ length: PARALLEL }, worker));
	if (refused.length > 0)
		console.error(JSON.stringify({ welcome: "refused", tenantId, count: refused.length, error: String(lastError) }));
	return { delivered, refused };
}

/** What the queue handler does next for the tenant: nothing, or another step after `delaySeconds`. */
export type WelcomeStep = { again?: { delaySeconds: number } };

/**
 * One bounded step of a tenant's welcome delivery. Only the loop holding the tenant's lease sends,
 * and it claims rows before sending them, so without faults each message is POSTed once; a loop
 * that dies leaves its claims to expire, and its last page is sent once more, with the same ids.
 * A message that finds another loop running does nothing: that loop looks again after releasing.
 */
export async function deliverWelcomes(env: Env, tenantId: string): Promise<WelcomeStep> {
	const database = await tenantRecords(env, tenantId);
	const holder = crypto.randomUUID();
	const started = Date.now();
	if (!(await acquireLease(database, tenantId, holder, started, started + LEASE_MS))) return {};
	let sending: number[] = [];
	let lost = false;
	const renewal = setInterval(() => {
		renewLease(database, tenantId, holder, sending, Date.now() + LEASE_MS).then(
			(held) => {
				lost ||= !held;
			},
			(error) => console.error(JSON.stringify({ welcome: "lease renewal failed", tenantId, error: String(error) })),
		);
	}, RENEW_MS);
	try {
		const page = env.NOTIFY_WEBHOOK_URL ? PAGE : PAGE_WITHOUT_URL;
		for (let pages = 0; ; pages++) {
			if (lost) return {};
			if (pages === STEP_PAGES || Date.now() - started >= STEP_MS) return { again: { delaySeconds: 0 } };
			const rows = await claim(database, tenantId, page);
			if (rows.length === 0) break;
			sending = rows.map((r) => r.id);
			const { delivered, refused } = await post(env, tenantId, rows);
			await settleWelcomes(database, delivered, refused, Date.now(), BACKOFF);
			sending = [];
			// A receiver that refuses a whole page is down: the rows wait out their backoff.
			if (delivered.length === 0) break;
		}
	} finally {
		clearInterval(renewal);
		await releaseLease(database, tenantId, holder);
	}
	// Looked at after releasing, so rows written while this loop ran are not left behind.
	const next = await nextWelcomeDue(database, tenantId);
	if (next === undefined) return {};
	return { again: { delaySeconds: Math.max(0, Math.ceil((next - Date.now()) / 1000)) } };
}
