import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, it, vi } from "vitest";
import worker from "../../src/index";
import { EVERY_MINUTE } from "../../src/scheduled";
import { shardOf } from "../helpers";
import { pendingWelcomes, seedWelcomes } from "./receiver";

async function runCron(cron: string) {
	const ctx = createExecutionContext();
	await worker.scheduled(createScheduledController({ cron, scheduledTime: Date.now() }), env, ctx);
	await waitOnExecutionContext(ctx);
}

describe("the minute sweep", () => {
	it("sends welcome messages whose queue message was lost, and waits out the lease of a loop that may still run", async () => {
		// Rows as writes leave them, with no queue message: as after a restart lost the queue's contents.
		const [idle, leased] = [`tnt_${crypto.randomUUID()}`, `tnt_${crypto.randomUUID()}`];
		await seedWelcomes(idle, 30);
		await seedWelcomes(leased, 30);
		await (await shardOf(leased))
			.prepare("INSERT INTO notify_leases (tenant_id, holder, until) VALUES (?, 'gone', ?)")
			.bind(leased, Date.now() + 2_000)
			.run();
		await runCron(EVERY_MINUTE);
		await vi.waitUntil(async () => (await pendingWelcomes(idle)) === 0, { timeout: 20_000, interval: 200 });
		await vi.waitUntil(async () => (await pendingWelcomes(leased)) === 0, { timeout: 20_000, interval: 200 });
	});
});
