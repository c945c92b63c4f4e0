// A tenant's move between record shards against the real system, killed while it runs beside an import
// and started again on the same state: the move resumes from its saved phase and cursor, and ends with
// the tenant on one shard with exactly its rows.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startReceiver } from "../../bench/receiver.mjs";
import { log, startSystem, until, WELCOME_SECRET } from "./system.mjs";

const NDJSON = "application/x-ndjson";
const USERS = 30_000;

let receiver;
let system;

beforeAll(async () => {
	receiver = await startReceiver({ secrets: { "/welcome": WELCOME_SECRET } });
	system = await startSystem(receiver);
	process.once("exit", () => system?.killNow());
});

afterAll(async () => {
	await system?.stop();
	await receiver?.close();
});

const file = (firstName) =>
	`${Array.from({ length: USERS }, (_, i) => JSON.stringify({ externalId: `m-${i}`, email: `m${i}@example.com`, firstName })).join("\n")}\n`;

const operator = (method, path, body) =>
	system.api.call(system.server.adminKey, method, path, body ? { body: JSON.stringify(body) } : {});

async function importUsers(tenant, firstName) {
	const { job } = await system.api.upload(tenant.key, "type=users", file(firstName), NDJSON, 120_000);
	return job;
}

it(`a move of ${USERS} users killed while it runs during an import resumes: one placement, exact rows, exact counts`, async () => {
	const tenant = await system.api.createTenant("moving");
	const first = await importUsers(tenant, "v1");
	const done = await system.api.waitJob(tenant.key, first.id, { timeoutMs: 120_000 });
	expect(done.job.status).toBe("completed");
	const [{ shard: from }] = system.d1("SELECT shard FROM tenants WHERE id = ?", tenant.id);
	const to = (from + 1) % 3;

	const second = await importUsers(tenant, "v2");
	const started = await operator("POST", `/v1/tenants/${tenant.id}/move`, { shard: to });
	expect(started.status).toBe(202);
	// On a quiet machine the whole move takes seconds, so the kill aims at "some rows copied" and lands
	// where it lands (logged); the outcome after the restart must be exact either way.
	const atKill = await until(
		"the move to copy some rows",
		async () => {
			const { json } = await operator("GET", `/v1/tenants/${tenant.id}/move`);
			return (json.rowsCopied >= 2_000 || json.status !== "processing") && json;
		},
		{ timeoutMs: 120_000, intervalMs: 20 },
	);
	await system.restart();
	log(`move killed in phase ${atKill.phase} with ${atKill.rowsCopied} rows copied`);

	// The step that died holds the move for a minute; the minute sweep then starts it again.
	const move = await until(
		"the move to end after the restart",
		async () => {
			const { json } = await operator("GET", `/v1/tenants/${tenant.id}/move`);
			return json.status !== "processing" && json;
		},
		{ timeoutMs: 240_000, intervalMs: 500 },
	);
	expect(move).toMatchObject({ status: "completed", fromShard: from, toShard: to });
	const { job, timedOut } = await system.api.waitJob(tenant.key, second.id, { timeoutMs: 180_000 });
	expect(timedOut).toBe(false);
	expect(job.counts).toMatchObject({ total: USERS, updated: USERS, created: 0, failed: 0 });

	expect(system.d1("SELECT shard FROM tenants WHERE id = ?", tenant.id)).toEqual([{ shard: to }]);
	// Summed over every shard: a row left on the old one, or copied twice, would show here.
	expect(system.d1("SELECT count(*) AS n FROM users WHERE tenant_id = ?", tenant.id)).toEqual([{ n: USERS }]);
	expect(system.d1("SELECT count(*) AS n FROM users WHERE tenant_id = ? AND first_name = 'v2'", tenant.id)).toEqual([
		{ n: USERS },
	]);
	const user = await system.api.call(tenant.key, "GET", "/v1/users/m-12345");
	expect(user.status).toBe(200);
	expect(user.json.firstName).toBe("v2");
});
