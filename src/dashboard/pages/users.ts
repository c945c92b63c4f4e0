import { html } from "hono/html";
import { page, type Viewer } from "../layout";

export function usersPage(viewer: Viewer, query: string) {
	return page(
		{ title: "Users", current: "users", viewer, script: "users.js" },
		html`<h1>Users</h1>
<form id="lookup" class="filter" method="get" action="/app/users">
	<label for="q">External id or email</label>
	<input id="q" name="q" required value="${query}" autocomplete="off" spellcheck="false">
	<button type="submit">Look up</button>
</form>
<div id="user-result"></div>`,
	);
}
