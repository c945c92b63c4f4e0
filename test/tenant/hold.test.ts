import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import type { JobSpec } from "../../src/schemas/jobs";
import { ImportOptions } from "../../src/schemas/records";
import { Jobs } from "../../src/tenant/jobs";
import type { TenantObject } from "../../src/tenant/object";

const spec = (id: string, extra: Partial<JobSpec> = {}): JobSpec => ({
	id,
	tenantId: "t",
	type: "users.import",
	description: id,
	recordType: "users",
	format: "ndjson",
	origin: "file",
	options: ImportOptions.parse({}),
	total: 1,
	chunks: [{ firstLine: 1, records: 1 }],
	...extra,
});

const holder = (sql: SqlStorage) =>
	sql.exec<{ move_id: string }>("SELECT move_id FROM move_hold").toArray()[0]?.move_id;

it("a move holds the jobs beside a queued import, but not beside a queued undo, which must be able to start", async () => {
	await runInDurableObject(env.TENANT.get(env.TENANT.newUniqueId()), (instance: TenantObject, state) => {
		const jobs = new Jobs(state.storage.sql);
		jobs.submit(spec("import"), Date.now());
		expect(instance.holdForMove("mov_1")).toEqual({ inFlight: 0, idBound: false });
		expect(holder(state.storage.sql)).toBe("mov_1");

		jobs.submit(
			spec("undo", { type: "users.undo", undoOf: { job: "import", endedAt: new Date().toISOString() } }),
			Date.now(),
		);
		expect(instance.holdForMove("mov_1").idBound).toBe(true);
		expect(holder(state.storage.sql)).toBeUndefined();
	});
});
