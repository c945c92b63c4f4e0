import { Command } from "commander";
import { ok } from "../../src/client";
import { saveLogin } from "../config";
import { client, connection, type Globals } from "../connection";
import { print, printJson, UsageError } from "../output";

export function tenantsCommand(globals: () => Globals) {
	const tenants = new Command("tenants").description("Manage tenants (operator)");
	tenants
		.command("create")
		.description("Create a tenant and its first super_admin key, with the operator key")
		.argument("<name>")
		.option("--admin-key <key>", "the operator key (default: COHORT_ADMIN_KEY, else ADMIN_API_KEY)")
		.option("--login", "save the server and the new tenant's key as your login")
		.action(async (name: string, flags: { adminKey?: string; login?: boolean }) => {
			const { url } = connection(globals(), { needKey: false });
			const adminKey = flags.adminKey ?? process.env.COHORT_ADMIN_KEY ?? process.env.ADMIN_API_KEY;
			if (!adminKey) throw new UsageError("No operator key: add --admin-key KEY, or set COHORT_ADMIN_KEY.");
			const created = await ok(client(url, adminKey).v1.tenants.$post({ json: { name } }));
			if (flags.login) saveLogin({ url, key: created.apiKey.key });
			if (globals().json) return printJson(created);
			print(`Tenant ${created.tenant.id} "${created.tenant.name}" created.`);
			print(`Its super_admin key (shown once): ${created.apiKey.key}`);
			if (flags.login) print(`Logged in to ${url} with that key.`);
		});
	return tenants;
}
