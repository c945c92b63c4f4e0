import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { Jobs } from "../../src/tenant/jobs";
import type { TenantObject } from "../../src/tenant/object";
import { jobSpec } from "./spec";

const holder = (sql: SqlStorage) =>
	sql.exec<{ move_id: string }>("SELECT move_id FROM move_hold").toArray()[0]?.move_id;

it("a move holds the jobs beside a queued import, but not beside a queued undo, which must be able to start", async () => {
	await runInDurableObject(env.TENANT.get(env.TENANT.newUniqueId()), (instance: TenantObject, state) => {
		const jobs = new Jobs(state.storage.sql);
		jobs.submit(jobSpec("import"), Date.now());
		expect(instance.holdForMove("mov_1")).toEqual({ inFlight: 0, idBound: false });
		expect(holder(state.storage.sql)).toBe("mov_1");

		jobs.submit(
			jobSpec("undo", [1], { type: "users.undo", undoOf: { job: "import", endedAt: new Date().toISOString() } }),
			Date.now(),
		);
		expect(instance.holdForMove("mov_1").idBound).toBe(true);
		expect(holder(state.storage.sql)).toBeUndefined();
	});
});
