// A webhook receiver on loopback: counts the POSTs it gets per delivery id, checks that each carries
// its id in the header and inside the signed body, and verifies the signature with the secret of the
// path it came to. `hold(delivery)` true leaves that request unanswered, as a slow receiver would.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

function signatureValid(header, body, secret) {
	const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? "");
	if (!match) return false;
	const expected = createHmac("sha256", secret).update(`${match[1]}.${body}`).digest();
	return timingSafeEqual(expected, Buffer.from(match[2], "hex"));
}

/** `secrets` maps a path prefix (e.g. "/welcome") to the secret its deliveries are signed with. */
export async function startReceiver({ secrets, hold = () => false }) {
	const deliveries = [];
	const problems = [];
	const held = new Set();
	const server = createServer((req, res) => {
		const parts = [];
		req.on("data", (part) => parts.push(part));
		req.on("end", () => {
			const body = Buffer.concat(parts).toString("utf8");
			const id = req.headers["cohort-delivery-id"];
			const secret = Object.entries(secrets).find(([prefix]) => req.url.startsWith(prefix))?.[1];
			let payload;
			try {
				payload = JSON.parse(body);
			} catch {
				problems.push(`${req.url}: body is not JSON`);
			}
			if (!id || payload?.id !== id) problems.push(`${req.url}: header id ${id} and body id ${payload?.id} differ`);
			if (!secret || !signatureValid(req.headers["cohort-signature"], body, secret))
				problems.push(`${req.url}: bad signature for ${id}`);
			const delivery = { path: req.url, id, payload, at: Date.now(), answered: false };
			deliveries.push(delivery);
			if (hold(delivery)) {
				held.add(res);
				res.on("close", () => held.delete(res));
				return;
			}
			delivery.answered = true;
			res.writeHead(200).end();
		});
	});
	await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address();
	return {
		url: `http://127.0.0.1:${port}`,
		deliveries,
		problems,
		/** POSTs per delivery id, for the deliveries `filter` keeps. */
		counts(filter = () => true) {
			const counts = new Map();
			for (const d of deliveries) if (filter(d)) counts.set(d.id, (counts.get(d.id) ?? 0) + 1);
			return counts;
		},
		async close() {
			for (const res of held) res.destroy();
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}
