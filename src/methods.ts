import { TrieRouter } from "hono/router/trie-router";
import type { RouterRoute } from "hono/types";

/** Each route table's patterns in one router whose answers are method names, rebuilt when routes are added. */
const built = new WeakMap<readonly RouterRoute[], { size: number; router: TrieRouter<string> }>();

/**
 * The methods the routes serve at `path` (HEAD wherever GET is, as Hono answers it), for a 405's
 * `Allow`; empty when no route serves the path at all. Middleware (method ALL) serves nothing.
 */
export function methodsServing(routes: readonly RouterRoute[], path: string): string[] {
	let table = built.get(routes);
	if (table?.size !== routes.length) {
		const router = new TrieRouter<string>();
		for (const route of routes) if (route.method !== "ALL") router.add("ALL", route.path, route.method);
		table = { size: routes.length, router };
		built.set(routes, table);
	}
	const methods = new Set(table.router.match("GET", path)[0].map(([method]) => method));
	if (methods.has("GET")) methods.add("HEAD");
	return [...methods].sort();
}
