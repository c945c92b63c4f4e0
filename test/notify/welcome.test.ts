import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { records } from "../../src/db/client";
import { tenantRecords } from "../../src/db/placement";
import { claimQuery } from "../../src/db/queries/welcomes";
import worker from "../../src/index";
import { signature } from "../../src/notify/sign";
import { claim, deliverWelcomes, LEASE_MS, MAX_ATTEMPTS } from "../../src/notify/welcome";
import type { NotifyMessage } from "../../src/schemas/messages";
import { firstShard, shardOf } from "../helpers";
import { pendingWelcomes, receiver, seedWelcomes, WELCOME_URL, welcomeEnv } from "./receiver";

afterEach(() => vi.restoreAllMocks());

const newTenant = () => `tnt_${crypto.randomUUID()}`;

/** Lets time pass for a lease: the claims and the tenant's lease of a loop that is gone run out. */
async function expireLeases(tenantId: string) {
	const shard = await shardOf(tenantId);
	await shard.batch([
		shard
			.prepare("UPDATE notifications SET claimed_until = 0 WHERE tenant_id = ? AND claimed_until IS NOT NULL")
			.bind(tenantId),
		shard.prepare("UPDATE notify_leases SET until = 0 WHERE tenant_id = ?").bind(tenantId),
	]);
}

describe("welcome delivery", () => {
	it("a batch of many wake-up messages for one tenant POSTs each welcome once, with its own id inside the signature", async () => {
		const tenantId = newTenant();
		await seedWelcomes(tenantId, 250);
		const { seen, perId } = receiver(WELCOME_URL);
		const batch = createMessageBatch<NotifyMessage>(
			"cohort-notify",
			Array.from({ length: 20 }, (_, i) => ({
				id: `w${i}`,
				timestamp: new Date(),
				attempts: 1,
				body: { kind: "welcome", tenantId },
			})),
		);
		const ctx = createExecutionContext();
		await worker.queue(batch, welcomeEnv, ctx);
		expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(20);
		expect(seen).toHaveLength(250);
		expect([...perId().values()].every((n) => n === 1)).toBe(true);
		for (const d of seen.slice(0, 3)) {
			const body = JSON.parse(d.body);
			expect(d.id).toBe(`ntf_${body.notification.id}`);
			expect(body).toMatchObject({ id: d.id, type: "welcome", tenantId });
			const t = Number(/t=(\d+)/.exec(d.signature)![1]);
			expect(d.signature).toBe(await signature(env.NOTIFY_WEBHOOK_SECRET, d.body, t));
		}
		expect(await pendingWelcomes(tenantId)).toBe(0);
	});

	it("loops started at the same time for one tenant: one sends, the others step aside", async () => {
		const tenantId = newTenant();
		await seedWelcomes(tenantId, 120);
		const { seen, perId } = receiver(WELCOME_URL);
		await Promise.all([1, 2, 3].map(() => deliverWelcomes(welcomeEnv, tenantId)));
		expect(perId().size).toBe(120);
		expect(seen).toHaveLength(120);
	});

	it("a step does bounded work and leaves the rest to the next one", async () => {
		const tenantId = newTenant();
		await seedWelcomes(tenantId, 1_500);
		const { seen } = receiver(WELCOME_URL);
		expect(await deliverWelcomes(welcomeEnv, tenantId)).toEqual({ again: { delaySeconds: 0 } });
		expect(seen).toHaveLength(1_000);
		expect(await pendingWelcomes(tenantId)).toBe(500);
		expect(await deliverWelcomes(welcomeEnv, tenantId)).toEqual({});
		expect(new Set(seen.map((d) => d.id)).size).toBe(1_500);
	});

	it("rows a dead loop had claimed are sent once its lease runs out, with the same ids, and the others once", async () => {
		const tenantId = newTenant();
		await seedWelcomes(tenantId, 150);
		const { seen, perId } = receiver(WELCOME_URL);
		// A loop takes the tenant's lease and claims a page, POSTs it, and dies before marking it delivered.
		await (await shardOf(tenantId))
			.prepare("INSERT INTO notify_leases (tenant_id, holder, until) VALUES (?, 'dead', ?)")
			.bind(tenantId, Date.now() + LEASE_MS)
			.run();
		const dead = await claim(await tenantRecords(env, tenantId), tenantId, 100);
		const deadIds = dead.map((r) => `ntf_${r.id}`);

		expect(await deliverWelcomes(welcomeEnv, tenantId)).toEqual({});
		expect(seen).toHaveLength(0);

		await (await shardOf(tenantId))
			.prepare("UPDATE notify_leases SET until = 0 WHERE tenant_id = ?")
			.bind(tenantId)
			.run();
		const step = await deliverWelcomes(welcomeEnv, tenantId);
		expect(seen).toHaveLength(50);
		expect(seen.some((d) => deadIds.includes(d.id))).toBe(false);
		expect(step.again!.delaySeconds).toBeGreaterThan(0);
		expect(step.again!.delaySeconds).toBeLessThanOrEqual(LEASE_MS / 1000);

		await expireLeases(tenantId);
		expect(await deliverWelcomes(welcomeEnv, tenantId)).toEqual({});
		expect(perId().size).toBe(150);
		expect([...perId().values()].every((n) => n === 1)).toBe(true);
		expect(await pendingWelcomes(tenantId)).toBe(0);
	});

	it("a refusing receiver gets each message again after a backoff, until it is given up", async () => {
		const tenantId = newTenant();
		await seedWelcomes(tenantId, 3);
		const { seen } = receiver(WELCOME_URL, () => 503);
		const first = await deliverWelcomes(welcomeEnv, tenantId);
		expect(seen).toHaveLength(3);
		expect(first.again!.delaySeconds).toBeGreaterThanOrEqual(4);
		for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
			await expireLeases(tenantId);
			await deliverWelcomes(welcomeEnv, tenantId);
		}
		expect(seen).toHaveLength(3 * MAX_ATTEMPTS);
		expect(new Set(seen.map((d) => d.id)).size).toBe(3);
		expect(await pendingWelcomes(tenantId)).toBe(0);
		const failed = await (await shardOf(tenantId))
			.prepare(
				"SELECT count(*) AS n FROM notifications WHERE tenant_id = ? AND failed_at IS NOT NULL AND delivered_at IS NULL",
			)
			.bind(tenantId)
			.first<{ n: number }>();
		expect(failed!.n).toBe(3);
		await expireLeases(tenantId);
		expect(await deliverWelcomes(welcomeEnv, tenantId)).toEqual({});
		expect(seen).toHaveLength(3 * MAX_ATTEMPTS);
	});

	it("finding the next rows to send reads the index of pending rows, not the delivered ones", async () => {
		const query = claimQuery(records(env, 0), "tnt_plan", 100, 0, 1).toSQL();
		const plan = await firstShard()
			.prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
			.bind(...query.params)
			.all<{ detail: string }>();
		expect(plan.results.map((r) => r.detail).join("\n")).toContain("USING INDEX notifications_pending");
	});
});
