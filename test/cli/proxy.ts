import { createServer, type IncomingMessage, request } from "node:http";
import type { AddressInfo } from "node:net";

type Recorded = { method: string; path: string; headers: IncomingMessage["headers"]; status?: number; answer: string };

/**
 * A loopback HTTP proxy in front of the system that records each request (method, path, headers)
 * as it arrives and the answer (status, body) as it passes, so a test can see what a client really sent
 * and was told. `cut(req)` returning true makes it pass on the answer's first bytes and then drop
 * the connection.
 */
export async function recordingProxy(target: string, cut: (req: IncomingMessage) => boolean = () => false) {
	const requests: Recorded[] = [];
	const server = createServer((req, res) => {
		const recorded: Recorded = { method: req.method!, path: req.url!, headers: req.headers, answer: "" };
		requests.push(recorded);
		// Answers pass uncompressed, so the recorded bodies can be read as they are.
		const { "accept-encoding": _, ...headers } = req.headers;
		const upstream = request(new URL(req.url!, target).href, { method: req.method, headers }, (answer) => {
			recorded.status = answer.statusCode;
			res.writeHead(answer.statusCode!, answer.headers);
			answer.on("data", (chunk) => (recorded.answer += chunk));
			if (cut(req)) answer.once("data", (chunk) => res.write(chunk, () => res.destroy()));
			else answer.pipe(res);
		});
		upstream.on("error", () => res.destroy());
		// The client went away (Ctrl-C, an abort): so does the request to the system.
		res.on("close", () => res.writableFinished || upstream.destroy());
		req.pipe(upstream);
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		requests,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
