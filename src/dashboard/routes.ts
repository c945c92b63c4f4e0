import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import { TENANT_REALM, verifyKey } from "../auth/authenticate";
import { challenge } from "../auth/challenge";
import { roleAtLeast } from "../auth/keys";
import { endSession, SESSION_COOKIE, sameOrigin, sessionKey, startSession } from "../auth/session";
import type { AppEnv } from "../context";
import { JOB_STATUSES, type JobStatus } from "../schemas/jobs";
import type { Viewer } from "./layout";
import { exportsPage } from "./pages/exports";
import { importPage } from "./pages/import";
import { jobPage } from "./pages/job";
import { jobsPage } from "./pages/jobs";
import { signInPage } from "./pages/sign-in";
import { usersPage } from "./pages/users";
import { staticRoutes } from "./static";

type DashboardEnv = { Bindings: Env; Variables: AppEnv["Variables"] & { viewer: Viewer } };

/** Only a dashboard path may follow sign-in, so the form cannot be turned into an open redirect. */
const safeNext = (next: unknown) =>
	typeof next === "string" && /^\/app\/[\w\-/?=&%.]*$/.test(next) && !next.startsWith("//") ? next : "/app/jobs";

const crossOrigin = "This form must be sent from a page of this site.";

/** Pages need a live session; without one (or once it expired or its key was revoked) they go to sign-in. */
const signedIn = createMiddleware<DashboardEnv>(async function signedIn(c, next) {
	const row = await sessionKey(c);
	if (!row) {
		const url = new URL(c.req.url);
		const params = new URLSearchParams({ next: url.pathname + url.search });
		if (getCookie(c, SESSION_COOKIE)) params.set("ended", "1");
		return c.redirect(`/app/sign-in?${params}`, 303);
	}
	c.set("viewer", { keyName: row.key.name, role: row.key.role });
	c.header("Cache-Control", "no-store");
	await next();
});

/**
 * The dashboard at /app: HTML pages whose scripts read and write through the public /v1 API with
 * the session cookie. The only routes of its own are the session exchange (sign-in, sign-out).
 */
export const dashboardRoutes = new Hono<DashboardEnv>()
	.use(
		secureHeaders({
			contentSecurityPolicy: {
				defaultSrc: ["'self'"],
				scriptSrc: ["'self'"],
				styleSrc: ["'self'"],
				imgSrc: ["'self'", "data:", "blob:"],
				connectSrc: ["'self'"],
				objectSrc: ["'none'"],
				baseUri: ["'none'"],
				formAction: ["'self'"],
				frameAncestors: ["'none'"],
			},
			referrerPolicy: "same-origin",
		}),
	)
	.route("/static", staticRoutes)
	.get("/", (c) => c.redirect("/app/jobs", 303))
	.get("/sign-in", (c) => {
		const ended = c.req.query("ended") ? "Your session has ended. Sign in again." : undefined;
		return c.html(signInPage({ next: safeNext(c.req.query("next")), notice: ended }));
	})
	.post("/session", bodyLimit({ maxSize: 16 * 1024 }), async (c) => {
		const form = await c.req.parseBody();
		const next = safeNext(form.next);
		if (!sameOrigin(c)) return c.html(signInPage({ next, error: crossOrigin }), 403);
		const row = await verifyKey(c.env, typeof form.key === "string" ? form.key.trim() : "");
		if (!row) {
			const error = "That key is unknown or revoked. Paste the whole key, starting with ck_key_.";
			return c.html(signInPage({ next, error }), 401, { "WWW-Authenticate": challenge(TENANT_REALM, true) });
		}
		await startSession(c, row.key.id);
		return c.redirect(next, 303);
	})
	.post("/sign-out", async (c) => {
		if (!sameOrigin(c)) return c.html(signInPage({ next: "/app/jobs", error: crossOrigin }), 403);
		await endSession(c);
		return c.redirect("/app/sign-in", 303);
	})
	.use(signedIn)
	.get("/jobs", (c) => {
		const status = c.req.query("status");
		const known = JOB_STATUSES.includes(status as JobStatus) ? status! : "";
		return c.html(jobsPage(c.get("viewer"), known));
	})
	.get("/jobs/:id", (c) => c.html(jobPage(c.get("viewer"), c.req.param("id"))))
	.get("/import", (c) => {
		const viewer = c.get("viewer");
		if (!roleAtLeast(viewer.role, "admin")) return c.redirect("/app/jobs", 303);
		return c.html(importPage(viewer));
	})
	// Starting an export takes the tenant's job queue, so it is an admin's; a viewer downloads from the job page.
	.get("/exports", (c) => {
		const viewer = c.get("viewer");
		if (!roleAtLeast(viewer.role, "admin")) return c.redirect("/app/jobs", 303);
		return c.html(exportsPage(viewer));
	})
	.get("/users", (c) => c.html(usersPage(c.get("viewer"), c.req.query("q") ?? "")));
