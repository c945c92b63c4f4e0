import { describe, expect, it } from "vitest";
import { call, createTenant } from "./helpers";

type Envelope = { error: { code: string; message: string } };

const gzip = (text: string) =>
	new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();

describe("JSON bodies read whole (every JSON route but the bulk ones)", () => {
	it("are gunzipped when sent so; another Content-Encoding is a 415 naming it", async () => {
		const { apiKey } = await createTenant();
		const send = (body: BodyInit, encoding: string) =>
			call("/v1/api-keys", {
				method: "POST",
				key: apiKey.key,
				body,
				headers: { "Content-Type": "application/json", "Content-Encoding": encoding },
			});
		const zipped = await send(await gzip(JSON.stringify({ name: "zipped", role: "viewer" })), "gzip");
		expect(zipped.status).toBe(201);
		expect(await zipped.json()).toMatchObject({ name: "zipped" });
		for (const encoding of ["br", "deflate", "x-unknown"]) {
			const res = await send(JSON.stringify({ name: "plain", role: "viewer" }), encoding);
			expect(res.status).toBe(415);
			expect((await res.json<Envelope>()).error.message).toBe(
				`Content-Encoding "${encoding}" is not supported; use gzip or none`,
			);
		}
	});

	it("are refused with a 400 when not UTF-8, instead of being read with U+FFFD in place", async () => {
		const { apiKey } = await createTenant();
		const body = new Uint8Array([
			...new TextEncoder().encode('{"name":"caf'),
			0xe9,
			...new TextEncoder().encode('","role":"viewer"}'),
		]);
		const res = await call("/v1/api-keys", {
			method: "POST",
			key: apiKey.key,
			body,
			headers: { "Content-Type": "application/json" },
		});
		expect(res.status).toBe(400);
		expect((await res.json<Envelope>()).error).toMatchObject({
			code: "VALIDATION_ERROR",
			message: "The JSON body is not valid UTF-8",
		});
	});

	it("are refused past 2 MiB, before they are parsed", async () => {
		const { apiKey } = await createTenant();
		const zeros = `{"name":[${"0,".repeat(1.5 * 1024 * 1024)}0]}`;
		const res = await call("/v1/api-keys", {
			method: "POST",
			key: apiKey.key,
			body: zeros,
			headers: { "Content-Type": "application/json" },
		});
		expect(res.status).toBe(413);
		expect((await res.json<Envelope>()).error.message).toBe("The body exceeds 2097152 bytes");
	});
});
