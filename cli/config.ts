import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where a user's settings live: $XDG_CONFIG_HOME/cohort, ~/.config/cohort, or %APPDATA%\cohort on Windows. */
function configDir() {
	const base =
		process.env.XDG_CONFIG_HOME ??
		(process.platform === "win32" ? (process.env.APPDATA ?? homedir()) : join(homedir(), ".config"));
	return join(base, "cohort");
}

/** Where unfinished uploads are remembered: $XDG_STATE_HOME/cohort, ~/.local/state/cohort, or %LOCALAPPDATA%\cohort. */
export function stateDir() {
	const base =
		process.env.XDG_STATE_HOME ??
		(process.platform === "win32" ? (process.env.LOCALAPPDATA ?? homedir()) : join(homedir(), ".local", "state"));
	return join(base, "cohort");
}

export type Login = { url: string; key: string };

export const loginFile = () => join(configDir(), "login.json");

export function readLogin(): Partial<Login> {
	try {
		return JSON.parse(readFileSync(loginFile(), "utf8"));
	} catch {
		return {};
	}
}

/** The key is a secret: the file is readable by its owner only (0600), in a directory only they can list. */
export function saveLogin(login: Login) {
	mkdirSync(configDir(), { recursive: true, mode: 0o700 });
	writeFileSync(loginFile(), `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
	chmodSync(loginFile(), 0o600);
}
