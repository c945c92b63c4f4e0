import { html } from "hono/html";
import { page } from "../layout";

export type SignInState = { next: string; error?: string; notice?: string };

export function signInPage({ next, error, notice }: SignInState) {
	return page(
		{ title: "Sign in" },
		html`<h1>Sign in</h1>
<p>Paste an API key of your tenant. It is exchanged for a session of 12 hours; the key itself is not kept in the browser.</p>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}
<form class="stack narrow" method="post" action="/app/session">
	${error ? html`<p class="error" role="alert" id="key-error">${error}</p>` : ""}
	<label for="key">API key</label>
	<input id="key" name="key" type="password" required autocomplete="off" spellcheck="false"
		placeholder="ck_key_…"${error ? html` aria-invalid="true" aria-describedby="key-error"` : ""} autofocus>
	<input type="hidden" name="next" value="${next}">
	<button type="submit">Sign in</button>
</form>`,
	);
}
