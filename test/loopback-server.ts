// Runs in Node before the tests: the one server outbound fetches in tests may reach, on 127.0.0.1.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import type { TestProject } from "vitest/node";

type Delivery = { headers: IncomingMessage["headers"]; body: string };

/**
 * GET /file?status=&type=&body=&gzip=1&hold=1  answers as told (hold: sends the body, never ends)
 * GET /redirect?to=&status=             a redirect to `to`
 * GET /hang                             never answers
 * POST /hooks/<name>?status=            records the delivery and answers `status` (200)
 * GET /hooks/<name>                     the deliveries recorded so far, as JSON
 */
function handler(deliveries: Map<string, Delivery[]>) {
	return (req: IncomingMessage, res: ServerResponse) => {
		const url = new URL(req.url ?? "/", "http://127.0.0.1");
		const q = (name: string) => url.searchParams.get(name);
		const status = Number(q("status") ?? 200);
		if (url.pathname === "/file") {
			const body = q("gzip") ? gzipSync(q("body") ?? "") : (q("body") ?? "");
			res.writeHead(status, {
				"Content-Type": q("type") ?? "text/csv",
				...(q("gzip") ? { "Content-Encoding": "gzip" } : {}),
			});
			if (q("hold")) res.write(body);
			else res.end(body);
		} else if (url.pathname === "/redirect") {
			res.writeHead(Number(q("status") ?? 302), { Location: q("to") ?? "/" }).end();
		} else if (url.pathname === "/hang") {
			// Never answered; the server closes the socket when the tests end.
		} else if (url.pathname.startsWith("/hooks/") && req.method === "POST") {
			let body = "";
			req.on("data", (piece) => (body += piece));
			req.on("end", () => {
				const seen = deliveries.get(url.pathname) ?? [];
				deliveries.set(url.pathname, [...seen, { headers: req.headers, body }]);
				res.writeHead(status).end();
			});
		} else if (url.pathname.startsWith("/hooks/")) {
			res
				.writeHead(200, { "Content-Type": "application/json" })
				.end(JSON.stringify(deliveries.get(url.pathname) ?? []));
		} else {
			res.writeHead(404).end();
		}
	};
}

export default async function setup(project: TestProject) {
	const server = createServer(handler(new Map()));
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	// A port that was free a moment ago and is closed now: connecting to it is refused.
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
	const closedPort = (probe.address() as AddressInfo).port;
	await new Promise((resolve) => probe.close(resolve));
	project.provide("loopback", { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, closedPort });
	return async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	};
}

declare module "vitest" {
	interface ProvidedContext {
		loopback: { origin: string; closedPort: number };
	}
}
