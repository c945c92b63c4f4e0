import { everyShard } from "../db/client";
import { tenantsWithPendingWelcomes } from "../db/queries/welcomes";
import type { NotifyMessage } from "../schemas/messages";

/**
 * The minute cron's sweep: every tenant with pending welcome messages gets a delivery message,
 * whatever became of earlier ones (lost in a restart, dead-lettered). One whose loop may still be
 * alive gets it when that loop's lease runs out, so a loop that died is replaced within its lease.
 */
export async function sweepWelcomes(env: Env, now = Date.now()): Promise<number> {
	const tenants = (await Promise.all(everyShard(env).map(tenantsWithPendingWelcomes))).flat();
	const messages = tenants.map(({ tenantId, leaseUntil }) => ({
		body: { kind: "welcome", tenantId } satisfies NotifyMessage,
		contentType: "json" as const,
		delaySeconds: leaseUntil !== null && leaseUntil > now ? Math.ceil((leaseUntil - now) / 1000) : 0,
	}));
	for (let i = 0; i < messages.length; i += 100) await env.NOTIFY.sendBatch(messages.slice(i, i + 100));
	return messages.length;
}
