import { Command } from "commander";
import { ok } from "../../src/client";
import type { TenantMove } from "../../src/schemas/moves";
import { client, connection, type Globals } from "../connection";
import { print, printJson, UsageError } from "../output";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Operator commands on the service as a whole, with the operator key. */
export function adminCommand(globals: () => Globals) {
	const admin = new Command("admin").description("Operate the service (operator key)");
	admin
		.command("move")
		.description("Move a tenant's records to another shard, online; waits for the move to end unless --no-wait")
		.argument("<tenant>", "the tenant's id")
		.argument("<shard>", "the shard's number (see GET /v1/admin/shards)")
		.option("--admin-key <key>", "the operator key (default: COHORT_ADMIN_KEY, else ADMIN_API_KEY)")
		.option("--no-wait", "return once the move has started")
		.action(async (tenant: string, shardArg: string, flags: { adminKey?: string; wait: boolean }) => {
			const shard = Number(shardArg);
			if (!Number.isInteger(shard) || shard < 0)
				throw new UsageError(`"${shardArg}" is not a shard number: give 0, 1, …`);
			const { url } = connection(globals(), { needKey: false });
			const adminKey = flags.adminKey ?? process.env.COHORT_ADMIN_KEY ?? process.env.ADMIN_API_KEY;
			if (!adminKey) throw new UsageError("No operator key: add --admin-key KEY, or set COHORT_ADMIN_KEY.");
			const moves = client(url, adminKey).v1.tenants[":id"].move;
			let move: TenantMove = await ok(moves.$post({ param: { id: tenant }, json: { shard } }));
			if (!globals().json)
				print(`Moving tenant ${tenant} from shard ${move.fromShard} to shard ${move.toShard} (${move.id}).`);
			while (flags.wait && move.status === "processing") {
				await sleep(1000);
				move = await ok(moves.$get({ param: { id: tenant } }));
			}
			if (globals().json) return printJson(move);
			if (move.status === "failed") {
				process.exitCode = 1;
				return print(`The move failed and was rolled back: ${move.errorMessage}`);
			}
			print(
				move.status === "completed"
					? `Done: ${move.rowsCopied} rows copied, ${move.rowsDeleted} deleted from shard ${move.fromShard}.`
					: `Started; follow it with GET /v1/tenants/${tenant}/move.`,
			);
		});
	return admin;
}
