import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { DELIVERY, FILE_DOWNLOAD, OutboundError, outboundFetch } from "../../src/notify/outbound";

const { origin, closedPort } = inject("loopback");
const loopbackOnly = { ...env, ALLOW_PRIVATE_IMPORT_URLS: "loopback" };
const quick = { headersMs: 2_000, redirects: 5 };

const file = (body: string) => `${origin}/file?${new URLSearchParams({ body })}`;
const redirect = (to: string) => `${origin}/redirect?${new URLSearchParams({ to })}`;

async function failure(promise: Promise<unknown>): Promise<string> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(OutboundError);
	return (error as Error).message;
}

describe("outboundFetch", () => {
	it("fetches from loopback when loopback is allowed, and connects nowhere when nothing is", async () => {
		expect(await (await outboundFetch(file("a,b"), loopbackOnly, {}, FILE_DOWNLOAD)).text()).toBe("a,b");
		const off = { ...env, ALLOW_PRIVATE_IMPORT_URLS: "" };
		expect(await failure(outboundFetch(file("a,b"), off, {}, FILE_DOWNLOAD))).toBe(
			"refused: 127.0.0.1 is not a public host (loopback)",
		);
	});

	it("checks every redirect hop before connecting: a loopback server pointing at a private address is refused", async () => {
		for (const [target, why] of [
			["http://10.0.0.7/users.csv", "10.0.0.7 is not a public host (private-use)"],
			[
				"http://[::ffff:a9fe:a9fe]/latest/meta-data/",
				"::ffff:a9fe:a9fe (169.254.169.254) is not a public host (link-local)",
			],
			["http://metadata.google.internal./", "metadata.google.internal is not a public host (local name)"],
			["file:///etc/passwd", "only http and https are fetched, not file:"],
		]) {
			expect(await failure(outboundFetch(redirect(target!), loopbackOnly, {}, FILE_DOWNLOAD))).toBe(
				`redirected to a refused URL: ${why}`,
			);
		}
	});

	it("follows redirects by hand up to the limit, relative ones included", async () => {
		const twoHops = redirect(redirect(file("x")));
		expect(await (await outboundFetch(twoHops, loopbackOnly, {}, FILE_DOWNLOAD)).text()).toBe("x");
		expect(await (await outboundFetch(redirect("/file?body=rel"), loopbackOnly, {}, FILE_DOWNLOAD)).text()).toBe("rel");
		let chain = file("x");
		for (let i = 0; i < 6; i++) chain = redirect(chain);
		expect(await failure(outboundFetch(chain, loopbackOnly, {}, FILE_DOWNLOAD))).toBe("more than 5 redirects");
	});

	it("a delivery does not follow a redirect: the 3xx is its answer", async () => {
		const res = await outboundFetch(redirect(file("x")), loopbackOnly, { method: "POST", body: "{}" }, DELIVERY);
		expect(res.status).toBe(302);
	});

	it("a server that never sends headers times out, and a closed port fails, in the service's own words", async () => {
		expect(await failure(outboundFetch(`${origin}/hang`, loopbackOnly, {}, { ...quick, headersMs: 300 }))).toBe(
			"timed out",
		);
		const closed = `http://127.0.0.1:${closedPort}/users.csv`;
		expect(await failure(outboundFetch(closed, loopbackOnly, {}, quick))).toBe("connection failed");
	});

	it("the total limit also bounds reading the answer", async () => {
		const held = `${origin}/file?body=partial&hold=1`;
		const res = await outboundFetch(held, loopbackOnly, {}, { ...quick, totalMs: 500 });
		expect(res.status).toBe(200);
		expect(await failure(res.text())).toBe("timed out while reading");
	});
});
