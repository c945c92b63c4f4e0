import { describe, expect, it } from "vitest";
import { decodeBody } from "../../src/ingest/decode";
import { bytesOf, collect, piecesOf } from "./streams";

async function gzip(input: ReadableStream<Uint8Array>): Promise<Uint8Array> {
	return new Uint8Array(await new Response(input.pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
	return new TextDecoder().decode(await new Response(stream).arrayBuffer());
}

function zeros(total: number, piece = 65_536): ReadableStream<Uint8Array> {
	return repeated(new Uint8Array(piece), total);
}

/** `block` again and again up to `total` bytes. */
function repeated(block: Uint8Array, total: number): ReadableStream<Uint8Array> {
	let sent = 0;
	return new ReadableStream({
		pull(controller) {
			if (sent >= total) return controller.close();
			controller.enqueue(block.slice());
			sent += block.length;
		},
	});
}

/** Reads a stream to its end, counting its bytes without keeping them. */
async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
	let bytes = 0;
	for await (const piece of stream) bytes += piece.length;
	return bytes;
}

const MiB = 1024 * 1024;

const text = '{"email":"ada@example.com"}\n{"email":"émile@example.com"}\n';

describe("decodeBody", () => {
	it("passes an unencoded body through unchanged", async () => {
		for (const encoding of [undefined, null, "", "identity", " Identity "]) {
			expect(await readAll(decodeBody(piecesOf(text, 3), { encoding, maxBytes: 1000 }))).toBe(text);
		}
	});

	it("a body of exactly maxBytes passes and one byte more is PAYLOAD_TOO_LARGE", async () => {
		const size = bytesOf(text).length;
		expect(await readAll(decodeBody(piecesOf(text, 5), { maxBytes: size }))).toBe(text);
		await expect(readAll(decodeBody(piecesOf(text, 5), { maxBytes: size - 1 }))).rejects.toMatchObject({
			code: "PAYLOAD_TOO_LARGE",
		});
	});

	it("counts the bytes that arrive, not what Content-Length claims", async () => {
		const headers = { "Content-Length": "10" };
		const body = new Request("https://cohort.test", { method: "POST", body: "x".repeat(5000), headers }).body!;
		await expect(readAll(decodeBody(body, { maxBytes: 4096 }))).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
	});

	it("gunzips a gzip body sent in small pieces", async () => {
		const compressed = await gzip(piecesOf(text, 4));
		for (const encoding of ["gzip", "x-gzip", "GZIP"]) {
			expect(await readAll(decodeBody(piecesOf(compressed, 7), { encoding, maxBytes: 1000 }))).toBe(text);
		}
	});

	it("a body that is not gzip errors as UNSUPPORTED_MEDIA_TYPE", async () => {
		await expect(readAll(decodeBody(piecesOf(text, 8), { encoding: "gzip", maxBytes: 1000 }))).rejects.toMatchObject({
			code: "UNSUPPORTED_MEDIA_TYPE",
			message: "body is not valid gzip",
		});
	});

	it("a gzip body cut short errors as UNSUPPORTED_MEDIA_TYPE", async () => {
		const compressed = await gzip(piecesOf(text.repeat(50), 100));
		const cut = compressed.subarray(0, compressed.length - 12);
		await expect(readAll(decodeBody(piecesOf(cut, 16), { encoding: "gzip", maxBytes: 100_000 }))).rejects.toMatchObject(
			{
				code: "UNSUPPORTED_MEDIA_TYPE",
			},
		);
	});

	it("a gzip bomb is stopped once the decompressed bytes pass maxBytes", async () => {
		const bomb = await gzip(zeros(20_000_000));
		expect(bomb.length).toBeLessThan(100_000);
		const maxBytes = 1_000_000;
		let passed = 0;
		const counting = new TransformStream<Uint8Array, Uint8Array>({
			transform(piece, controller) {
				passed += piece.length;
				controller.enqueue(piece);
			},
		});
		const decoded = decodeBody(piecesOf(bomb, 4096), { encoding: "gzip", maxBytes }).pipeThrough(counting);
		await expect(collect(decoded)).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
		expect(passed).toBeLessThanOrEqual(maxBytes);
	});

	it("a gzip body expanding more than 200 times is stopped at 64 MiB decoded, far below maxBytes", async () => {
		const bomb = await gzip(zeros(80 * MiB));
		let decoded = 0;
		const counting = new TransformStream<Uint8Array, Uint8Array>({
			transform(piece, controller) {
				decoded += piece.length;
				controller.enqueue(piece);
			},
		});
		const stream = decodeBody(piecesOf(bomb, 65_536), { encoding: "gzip", maxBytes: 1024 * MiB });
		await expect(drain(stream.pipeThrough(counting))).rejects.toMatchObject({
			code: "PAYLOAD_TOO_LARGE",
			message: "The gzip body expands more than 200 times its size",
		});
		expect(decoded).toBeGreaterThan(63 * MiB);
		expect(decoded).toBeLessThanOrEqual(64 * MiB);
	});

	it("a gzip body expanding less than 200 times passes 64 MiB decoded", async () => {
		// Mostly zeros with random bytes between: about 20:1 in gzip. The block is longer than gzip's
		// 32 KiB window, so repeating it gains nothing.
		const block = crypto.getRandomValues(new Uint8Array(65_536)).map((b, i) => (i % 16 === 0 ? b : 0));
		const compressed = await gzip(repeated(block, 72 * MiB));
		expect(compressed.length).toBeGreaterThan((72 * MiB) / 200);
		const stream = decodeBody(piecesOf(compressed, 1 * MiB), { encoding: "gzip", maxBytes: 1024 * MiB });
		expect(await drain(stream)).toBe(72 * MiB);
	});

	it("a compressed body over maxBytes is stopped before it is decompressed whole", async () => {
		const noise = crypto.getRandomValues(new Uint8Array(60_000));
		const compressed = await gzip(piecesOf(noise, 1000));
		const decoded = decodeBody(piecesOf(compressed, 1000), { encoding: "gzip", maxBytes: 20_000 });
		await expect(readAll(decoded)).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
	});

	it("any other Content-Encoding is refused before reading", () => {
		const body = piecesOf(text, 8);
		for (const encoding of ["br", "deflate", "gzip, br"]) {
			expect(() => decodeBody(body, { encoding, maxBytes: 1000 })).toThrow(
				expect.objectContaining({ code: "UNSUPPORTED_MEDIA_TYPE" }),
			);
		}
		expect(body.locked).toBe(false);
	});
});
