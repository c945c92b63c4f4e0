import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "./context";

type Field = string | number | boolean | null;

/**
 * One JSON line for Workers Logs. Fields are ids, names, counts and statuses only (never record
 * contents, keys or URLs, which can carry credentials), so the type takes primitives and no objects.
 */
export function logEvent(event: string, fields: Record<string, Field>): void {
	console.log(JSON.stringify({ event, ...fields }));
}

/**
 * One line per request once it is answered, errors included. The route is the matched pattern
 * (`/v1/users/:externalId`), not the path: a path can hold a user's id, and a query string an
 * invitation text.
 */
export const requestLog = createMiddleware<AppEnv>(async function requestLog(c, next) {
	const started = Date.now();
	await next();
	logEvent("request", {
		requestId: c.get("requestId") ?? null,
		tenant: c.get("tenantId") ?? null,
		method: c.req.method,
		route: routePath(c, -1),
		status: c.res.status,
		durationMs: Date.now() - started,
	});
});
