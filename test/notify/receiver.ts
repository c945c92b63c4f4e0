import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { shardOf } from "../helpers";

/** Where the tests' NOTIFY_WEBHOOK_URL points; `receiver` answers every request to it, none leaves the test. */
export const WELCOME_URL = "https://hooks.example.com/welcome";
export const welcomeEnv = { ...env, NOTIFY_WEBHOOK_URL: WELCOME_URL };

export type Delivery = { url: string; id: string; body: string; signature: string };

/**
 * Answers outbound POSTs to `prefix` and records them; `answer` gives each one's status (200 by default).
 * Also counts POSTs per delivery id, as a receiver that deduplicates would.
 */
export function receiver(prefix: string, answer: (delivery: Delivery) => number = () => 200) {
	const seen: Delivery[] = [];
	const realFetch = globalThis.fetch;
	vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
		const url = String(input instanceof Request ? input.url : input);
		if (!url.startsWith(prefix)) return realFetch(input, init);
		const headers = new Headers(init?.headers);
		const delivery = {
			url,
			id: headers.get("Cohort-Delivery-Id") ?? "",
			body: String(init?.body),
			signature: headers.get("Cohort-Signature") ?? "",
		};
		seen.push(delivery);
		return new Response(null, { status: answer(delivery) });
	});
	const perId = () => {
		const counts = new Map<string, number>();
		for (const d of seen) counts.set(d.id, (counts.get(d.id) ?? 0) + 1);
		return counts;
	};
	return { seen, perId };
}

/** `n` stored, pending welcome messages for a tenant, as a write that created n users leaves them. */
export async function seedWelcomes(tenantId: string, n: number, firstUser = 1): Promise<void> {
	const users = Array.from({ length: n }, (_, i) => firstUser + i);
	await (await shardOf(tenantId))
		.prepare(
			`INSERT INTO notifications (tenant_id, user_id, kind, email, created_at)
			SELECT ?1, value, 'welcome', 'user' || value || '@example.com', ?2 FROM json_each(?3)`,
		)
		.bind(tenantId, new Date().toISOString(), JSON.stringify(users))
		.run();
}

export async function pendingWelcomes(tenantId: string): Promise<number> {
	const row = await (await shardOf(tenantId))
		.prepare(
			"SELECT count(*) AS n FROM notifications WHERE tenant_id = ? AND delivered_at IS NULL AND failed_at IS NULL",
		)
		.bind(tenantId)
		.first<{ n: number }>();
	return row!.n;
}
