import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { type Role, roleAtLeast } from "../auth/keys";

type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Who is signed in, as the pages need it: the key's name and role (the API enforces the role anyway). */
export type Viewer = { keyName: string; role: Role };

export type PageOptions = {
	title: string;
	/** The nav entry to mark as current. */
	current?: "jobs" | "import" | "exports" | "users";
	viewer?: Viewer;
	/** A module under /app/static that renders the page's data. */
	script?: string;
	/** Classic scripts it needs first (uPlot defines a global). */
	vendor?: string[];
	styles?: string[];
};

const NAV = [
	{ id: "jobs", href: "/app/jobs", label: "Jobs", minimum: "viewer" },
	{ id: "import", href: "/app/import", label: "Import", minimum: "admin" },
	{ id: "exports", href: "/app/exports", label: "Export", minimum: "admin" },
	{ id: "users", href: "/app/users", label: "Users", minimum: "viewer" },
] as const;

function header(viewer: Viewer, current: PageOptions["current"]) {
	const links = NAV.filter((item) => roleAtLeast(viewer.role, item.minimum));
	return html`<header class="bar">
	<a class="brand" href="/app/jobs">Cohort</a>
	<nav aria-label="Main">
		<ul>
			${links.map(
				(item) =>
					html`<li><a href="${item.href}"${item.id === current ? html` aria-current="page"` : ""}>${item.label}</a></li>`,
			)}
		</ul>
	</nav>
	<form class="who" method="post" action="/app/sign-out">
		<span>${viewer.keyName} <span class="role">(${viewer.role})</span></span>
		<button type="submit" class="secondary">Sign out</button>
	</form>
</header>`;
}

/** The one page shell: nav, skip link, a strict CSP's worth of same-origin scripts and styles. */
export function page(options: PageOptions, body: Markup) {
	const styles = ["app.css", ...(options.styles ?? [])];
	return html`<!doctype html>
<html lang="en">
<head>
	<meta charset="utf-8">
	<meta name="viewport" content="width=device-width, initial-scale=1">
	<title>${options.title} · Cohort</title>
	<link rel="icon" href="data:,">
	${styles.map((name) => html`<link rel="stylesheet" href="/app/static/${name}">`)}
	${(options.vendor ?? []).map((name) => html`<script defer src="/app/static/${name}"></script>`)}
	${options.script ? html`<script type="module" src="/app/static/${options.script}"></script>` : ""}
</head>
<body${options.viewer ? html` data-role="${options.viewer.role}"` : ""}>
	<a class="skip" href="#main">Skip to content</a>
	${options.viewer ? header(options.viewer, options.current) : html`<header class="bar"><span class="brand">Cohort</span></header>`}
	<main id="main" tabindex="-1">
${body}
	</main>
</body>
</html>`;
}
