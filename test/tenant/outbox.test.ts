import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { JobRecord } from "../../src/tenant/jobs";
import { DELIVERY_WAIT_MS, type JobEvent, Outbox } from "../../src/tenant/outbox";

const t0 = 1_800_000_000_000;
const event = (id: string): JobEvent => ({ kind: "job", tenantId: "t", job: { id } as JobRecord });

/** An outbox on a fresh object's storage, sending into `sent` unless the queue is down. */
function withOutbox(test: (outbox: Outbox, sent: JobEvent[], queue: { down: boolean }) => Promise<void>) {
	return runInDurableObject(env.TENANT.get(env.TENANT.newUniqueId()), (_instance, state) => {
		const sent: JobEvent[] = [];
		const queue = { down: false };
		const outbox = new Outbox({
			sql: state.storage.sql,
			send: async (events) => {
				if (queue.down) throw new Error("queue unavailable");
				sent.push(...events);
			},
		});
		return test(outbox, sent, queue);
	});
}

describe("the outbox", () => {
	it("leases what it hands out, so a send that dies goes again after the lease and none goes twice meanwhile", async () => {
		await withOutbox(async (outbox, sent) => {
			outbox.record("a");
			outbox.record("a");
			expect(outbox.nextWakeAt()).toBe(0);
			expect(outbox.take(t0)).toEqual(["a"]);
			expect(outbox.take(t0 + 1_000)).toEqual([]);
			expect(outbox.nextWakeAt()).toBe(t0 + 60_000);
			const retaken = outbox.take(t0 + 60_000);
			expect(retaken).toEqual(["a"]);
			await outbox.send(retaken.map(event), t0 + 60_000);
			expect(sent.map((e) => e.job.id)).toEqual(["a"]);
			// Queued, the event waits for its delivery to be confirmed; it goes again if it never is.
			expect(outbox.nextWakeAt()).toBe(t0 + 60_000 + DELIVERY_WAIT_MS);
			outbox.remove("a");
			expect(outbox.nextWakeAt()).toBeUndefined();
			expect(outbox.take(t0 + 1e9)).toEqual([]);
		});
	});

	it("keeps a refused event and tries it again after a backoff that doubles", async () => {
		await withOutbox(async (outbox, sent, queue) => {
			outbox.record("a");
			outbox.take(t0);
			queue.down = true;
			await outbox.send([event("a")], t0);
			expect(outbox.nextWakeAt()).toBe(t0 + 1_000);
			outbox.take(t0 + 10_000);
			await outbox.send([event("a")], t0 + 10_000);
			expect(outbox.nextWakeAt()).toBe(t0 + 20_000);
			queue.down = false;
			outbox.record("b");
			await outbox.send(outbox.take(t0 + 20_000).map(event), t0 + 20_000);
			expect(sent.map((e) => e.job.id).sort()).toEqual(["a", "b"]);
			expect(outbox.nextWakeAt()).toBe(t0 + 20_000 + DELIVERY_WAIT_MS);
		});
	});

	it("an event whose receiver refused it goes again after a backoff, and one queued but never confirmed goes again", async () => {
		await withOutbox(async (outbox, sent) => {
			outbox.record("a");
			await outbox.send(outbox.take(t0).map(event), t0);
			expect(outbox.take(t0 + DELIVERY_WAIT_MS - 1)).toEqual([]);
			// The answer was lost (a restart, a consumer that died): the same event again.
			await outbox.send(outbox.take(t0 + DELIVERY_WAIT_MS).map(event), t0 + DELIVERY_WAIT_MS);
			expect(sent.map((e) => e.job.id)).toEqual(["a", "a"]);
			const refused = t0 + DELIVERY_WAIT_MS + 5_000;
			outbox.failed("a", refused, new Error("503"));
			expect(outbox.nextWakeAt()).toBe(refused + 1_000);
			outbox.failed("gone", refused, new Error("503"));
			outbox.remove("a");
			expect(outbox.nextWakeAt()).toBeUndefined();
		});
	});
});
