import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signature } from "../../src/notify/sign";
import { deliverWelcomes } from "../../src/notify/welcome";
import { call, createTenant, type JobView, shardOf, upload, waitForJob } from "../helpers";

type Delivery = { url: string; body: string; signature: string; id: string };

/** Captures outbound webhook POSTs; `answers` are the statuses given in turn (then 200). */
function receiver(answers: number[] = []) {
	const seen: Delivery[] = [];
	const realFetch = globalThis.fetch;
	vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
		const url = String(input instanceof Request ? input.url : input);
		if (!url.startsWith("https://hooks.example.com/")) return realFetch(input, init);
		const headers = new Headers(init?.headers);
		seen.push({
			url,
			body: String(init?.body),
			signature: headers.get("Cohort-Signature") ?? "",
			id: headers.get("Cohort-Delivery-Id") ?? "",
		});
		return new Response(null, { status: answers.shift() ?? 200 });
	});
	return seen;
}

async function verify(delivery: Delivery, secret: string) {
	const t = Number(/t=(\d+)/.exec(delivery.signature)![1]);
	expect(delivery.signature).toBe(await signature(secret, delivery.body, t));
}

afterEach(() => vi.restoreAllMocks());

describe("welcome messages", () => {
	it("are stored once per created user and delivered through the queue", async () => {
		const { apiKey } = await createTenant();
		const users = [{ externalId: "w1", email: "w1@example.com" }, { externalId: "w2" }];
		const options = { sendWelcomeEmail: true, inviteMessage: "Hi!" };
		await call("/v1/users/bulk", { method: "POST", key: apiKey.key, json: { users, options } });
		await call("/v1/users/bulk", { method: "POST", key: apiKey.key, json: { users, options } });
		await vi.waitUntil(
			async () => {
				const page = await (await call("/v1/notifications", { key: apiKey.key })).json<{
					data: { deliveredAt: string | null }[];
				}>();
				return page.data.length === 2 && page.data.every((n) => n.deliveredAt !== null);
			},
			{ timeout: 20_000, interval: 200 },
		);
		const page = await (await call("/v1/notifications", { key: apiKey.key })).json<{ data: object[] }>();
		expect(page.data).toEqual([
			expect.objectContaining({ kind: "welcome", externalId: "w1", email: "w1@example.com", inviteMessage: "Hi!" }),
			expect.objectContaining({ kind: "welcome", externalId: "w2", email: null, inviteMessage: "Hi!" }),
		]);
	});

	it("are POSTed signed to NOTIFY_WEBHOOK_URL when it is set", async () => {
		const { tenant, apiKey } = await createTenant();
		await call("/v1/users/bulk", {
			method: "POST",
			key: apiKey.key,
			json: { users: [{ externalId: "s1" }], options: { sendWelcomeEmail: true } },
		});
		const seen = receiver();
		// The queue's own delivery may have run already; a fresh message here finds what is undelivered.
		await (await shardOf(tenant.id))
			.prepare("UPDATE notifications SET delivered_at = NULL WHERE tenant_id = ?")
			.bind(tenant.id)
			.run();
		await deliverWelcomes({ ...env, NOTIFY_WEBHOOK_URL: "https://hooks.example.com/welcome" }, tenant.id);
		expect(seen).toHaveLength(1);
		const body = JSON.parse(seen[0]!.body);
		expect(body).toMatchObject({
			id: seen[0]!.id,
			type: "welcome",
			tenantId: tenant.id,
			notification: { kind: "welcome", externalId: "s1" },
		});
		expect(seen[0]!.id).toBe(`ntf_${body.notification.id}`);
		await verify(seen[0]!, env.NOTIFY_WEBHOOK_SECRET);
	});
});

describe("job webhooks", () => {
	it("a receiver sees one correctly signed delivery per finished job, retried after a failure", async () => {
		const { apiKey } = await createTenant();
		const secret = "whsec_0123456789abcdef";
		const set = await call("/v1/webhook", {
			method: "PUT",
			key: apiKey.key,
			json: { url: "https://hooks.example.com/jobs", secret },
		});
		expect(set.status).toBe(200);
		expect(JSON.stringify(await set.json())).not.toContain(secret);
		const seen = receiver([500]);
		const job = await (
			await upload(apiKey.key, "type=users", '{"externalId":"h1"}\n', { "Content-Type": "application/x-ndjson" })
		).json<JobView>();
		await waitForJob(apiKey.key, job.id);
		await vi.waitUntil(() => seen.length >= 2, { timeout: 30_000, interval: 200 });
		const bodies = seen.map((d) => JSON.parse(d.body) as { type: string; job: JobView });
		expect(bodies.map((b) => [b.type, b.job.id])).toEqual([
			["job.completed", job.id],
			["job.completed", job.id],
		]);
		for (const d of seen) await verify(d, secret);
		// The re-send carries the same delivery id, in the header and inside the signed body.
		expect(seen.map((d) => [d.id, JSON.parse(d.body).id])).toEqual([
			[`${job.id}.completed`, `${job.id}.completed`],
			[`${job.id}.completed`, `${job.id}.completed`],
		]);
		await new Promise((r) => setTimeout(r, 3000));
		expect(seen).toHaveLength(2);
	});

	it("webhook URLs pointing at private addresses are refused", async () => {
		const { apiKey } = await createTenant();
		for (const url of ["http://10.1.2.3:9000/x", "http://[::ffff:a9fe:a9fe]/", "http://hooks.internal./x"]) {
			const res = await call("/v1/webhook", { method: "PUT", key: apiKey.key, json: { url, secret: "s".repeat(20) } });
			expect(res.status, url).toBe(400);
		}
	});
});
