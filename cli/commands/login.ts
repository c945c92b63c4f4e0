import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { Command } from "commander";
import { ok } from "../../src/client";
import { loginFile, readLogin, saveLogin } from "../config";
import { client, type Globals } from "../connection";
import { print, printJson, UsageError } from "../output";

/** The key from a prompt that does not echo it (a terminal), or from stdin (a pipe). */
async function readKey(): Promise<string> {
	if (!process.stdin.isTTY) {
		let text = "";
		for await (const chunk of process.stdin) text += chunk;
		return text.trim();
	}
	process.stderr.write("API key: ");
	// Line editing works as usual, but what is typed goes to a stream that drops it: the key is not echoed.
	const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
	const rl = createInterface({ input: process.stdin, output: silent, terminal: true });
	try {
		return (await rl.question("")).trim();
	} finally {
		rl.close();
		process.stderr.write("\n");
	}
}

export function loginCommand(globals: () => Globals) {
	return new Command("login")
		.description("Save the server's URL and your API key (asked for, or read from stdin) for later commands")
		.action(async () => {
			const { url: given, key: givenKey, json } = globals();
			const url = (given ?? process.env.COHORT_URL ?? readLogin().url)?.replace(/\/+$/, "");
			if (!url) throw new UsageError("Which server? Add --url, e.g. `cohort login --url http://localhost:8787`.");
			const key = givenKey ?? (await readKey());
			if (!key) throw new UsageError("No API key given.");
			// A viewer key may list jobs, so this checks every valid key without changing anything.
			await ok(client(url, key).v1.jobs.$get({ query: { limit: "1" } }));
			saveLogin({ url, key });
			if (json) return printJson({ url, file: loginFile() });
			print(`Logged in to ${url}; saved in ${loginFile()}.`);
		});
}
