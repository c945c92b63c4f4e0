import { Command, Option } from "commander";
import { ok, okResponse, type RecordType } from "../../src/client";
import { client, connection, type Globals } from "../connection";
import { readMapping } from "../mapping";
import { print, printJson, table, UsageError } from "../output";

type Profile = { name: string; type: string; columns: Record<string, string>; updatedAt: string };

const api = (globals: Globals) => {
	const { url, key } = connection(globals);
	return client(url, key).v1.mappings;
};

function show(profile: Profile, json: boolean) {
	if (json) return printJson(profile);
	print(`${profile.name} (${profile.type}), updated ${profile.updatedAt}`);
	print(table(Object.entries(profile.columns)));
}

export function mappingsCommand(globals: () => Globals) {
	const mappings = new Command("mappings").description("Saved CSV column mappings, used with `import --mapping NAME`");
	mappings
		.command("list")
		.description("Every saved mapping")
		.action(async () => {
			const { data } = await ok(api(globals()).$get());
			if (globals().json) return printJson(data);
			print(table(data.map((p) => [p.name, p.type, `${Object.keys(p.columns).length} columns`, p.updatedAt])));
		});
	mappings
		.command("get")
		.description("A saved mapping's columns")
		.argument("<name>")
		.action(async (name: string) =>
			show(await ok(api(globals())[":name"].$get({ param: { name } })), Boolean(globals().json)),
		);
	mappings
		.command("put")
		.description("Save a mapping (replacing one of that name)")
		.argument("<name>")
		.addOption(
			new Option("-t, --type <type>", "the record type")
				.choices(["users", "companies", "enrollments"])
				.makeOptionMandatory(),
		)
		.requiredOption("--columns <columns>", 'JSON {"header": "field"}, or @file with that JSON')
		.action(async (name: string, flags: { type: RecordType; columns: string }) => {
			const columns = readMapping(flags.columns);
			if (typeof columns !== "object") throw new UsageError('--columns must be JSON {"header": "field"} or @file');
			const json = { type: flags.type, columns };
			show(await ok(api(globals())[":name"].$put({ param: { name }, json })), Boolean(globals().json));
		});
	mappings
		.command("delete")
		.description("Delete a saved mapping")
		.argument("<name>")
		.action(async (name: string) => {
			await okResponse(api(globals())[":name"].$delete({ param: { name } }));
			if (globals().json) return printJson({ deleted: name });
			print(`Deleted mapping ${name}`);
		});
	return mappings;
}
