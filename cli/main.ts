import { Command, CommanderError } from "commander";
import { adminCommand } from "./commands/admin";
import { exportCommand } from "./commands/export";
import { importCommand } from "./commands/import";
import { jobsCommand } from "./commands/jobs";
import { loginCommand } from "./commands/login";
import { mappingsCommand } from "./commands/mappings";
import { tenantsCommand } from "./commands/tenants";
import { usersCommand } from "./commands/users";
import { connection, type Globals } from "./connection";
import { EXIT, explain } from "./output";
import { StoppedWatching } from "./watch";

const program = new Command("cohort")
	.description("Import users, companies and enrollments into Cohort, and follow the jobs.")
	.option("--url <url>", "the server (default: COHORT_URL, else the one `cohort login` saved)")
	.option("--key <key>", "the API key (default: COHORT_KEY, else the one `cohort login` saved)")
	.option("--json", "machine output: one JSON document on stdout, no progress bars")
	.showHelpAfterError("(add --help for usage)")
	.addHelpText(
		"after",
		"\nExit status: 0 done; 1 the job failed, records failed (unless --allow-failures) or a request failed;\n2 a usage error; 130 interrupted (an interrupted upload resumes when the same import runs again).",
	)
	// Usage errors exit 2 (commander's own would be 1); see the catch below.
	.exitOverride();

const globals = () => program.opts<Globals>();
for (const command of [
	loginCommand,
	importCommand,
	exportCommand,
	jobsCommand,
	mappingsCommand,
	usersCommand,
	tenantsCommand,
	adminCommand,
])
	program.addCommand(command(globals));

/** Subcommands made on their own inherit nothing: give every one the program's settings (exitOverride above all). */
function inherit(parent: Command) {
	for (const command of parent.commands) inherit(command.copyInheritedSettings(parent));
}
inherit(program);

/** The server the command talked to, for messages about reaching it. */
function serverUrl(): string | undefined {
	try {
		return connection(globals(), { needKey: false }).url;
	} catch {
		return undefined;
	}
}

async function main() {
	try {
		await program.parseAsync();
	} catch (error) {
		if (error instanceof CommanderError) {
			process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
		} else if (error instanceof StoppedWatching) {
			process.stderr.write(`${error.message}\n`);
			process.exitCode = EXIT.interrupted;
		} else {
			const { message, exit } = explain(error, serverUrl());
			process.stderr.write(`error: ${message}\n`);
			process.exitCode = exit;
		}
	}
}

main();
