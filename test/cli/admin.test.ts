import { expect, it } from "vitest";
import { cohort, home, newTenant, server } from "./helpers";

const shards = async () =>
	(
		(await (
			await fetch(`${server.base}/v1/admin/shards`, { headers: { Authorization: `Bearer ${server.adminKey}` } })
		).json()) as {
			data: { shard: number }[];
		}
	).data.length;

it("admin move moves a tenant to another shard and waits for it to end; a shard that does not exist is refused", async () => {
	const env = home();
	const tenant = await newTenant("cli move");
	const key = ["--url", server.base];
	const res = await fetch(`${server.base}/v1/users/bulk`, {
		method: "POST",
		headers: { Authorization: `Bearer ${tenant.key}`, "Content-Type": "application/json" },
		body: JSON.stringify({ users: [{ externalId: "cli-1" }] }),
	});
	expect(res.status).toBe(200);
	const count = await shards();
	const missing = await cohort(
		[...key, "admin", "move", tenant.id, String(count), "--admin-key", server.adminKey],
		env,
	);
	expect(missing.code).toBe(1);
	expect(missing.stderr).toContain(`no shard ${count}`);

	const target = String((await currentShard(tenant.id)) === 0 ? 1 : 0);
	const run = await cohort([...key, "--json", "admin", "move", tenant.id, target, "--admin-key", server.adminKey], env);
	expect(run.code, run.stderr).toBe(0);
	expect(JSON.parse(run.stdout)).toMatchObject({ status: "completed", toShard: Number(target) });
	const user = await fetch(`${server.base}/v1/users/cli-1`, { headers: { Authorization: `Bearer ${tenant.key}` } });
	expect(user.status).toBe(200);
});

/** The tenant's shard, as the operator's PATCH of its limits answers it. */
async function currentShard(tenantId: string): Promise<number> {
	const res = await fetch(`${server.base}/v1/tenants/${tenantId}`, {
		method: "PATCH",
		headers: { Authorization: `Bearer ${server.adminKey}`, "Content-Type": "application/json" },
		body: JSON.stringify({ limits: {} }),
	});
	return ((await res.json()) as { shard: number }).shard;
}
