import { Command } from "commander";
import { ok } from "../../src/client";
import { client, connection, type Globals } from "../connection";
import { print, printJson, table } from "../output";

export function usersCommand(globals: () => Globals) {
	const users = new Command("users").description("Read users");
	users
		.command("get")
		.description("A user by external id")
		.argument("<externalId>")
		.action(async (externalId: string) => {
			const { url, key } = connection(globals());
			const user = await ok(client(url, key).v1.users[":externalId"].$get({ param: { externalId } }));
			if (globals().json) return printJson(user);
			const rows = Object.entries(user)
				.filter(([, value]) => value !== null && value !== undefined)
				.map(([name, value]) => [name, typeof value === "object" ? JSON.stringify(value) : String(value)]);
			print(table(rows));
		});
	return users;
}
