import { describe, expect, it } from "vitest";
import { multipartFile } from "../../src/ingest/multipart";
import { bytesOf, collect, PIECE_SIZES, piecesOf } from "./streams";

const MiB = 1024 * 1024;

/** A form encoded by the runtime, as a client would send it. */
async function encoded(form: FormData): Promise<{ bytes: Uint8Array; contentType: string }> {
	const res = new Response(form);
	return { bytes: new Uint8Array(await res.arrayBuffer()), contentType: res.headers.get("Content-Type")! };
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
	return new TextDecoder().decode(await new Response(stream).arrayBuffer());
}

async function refusal(promise: Promise<unknown>) {
	try {
		await promise;
	} catch (error) {
		return error as { code: string; message: string };
	}
	throw new Error("the body was accepted");
}

const handmade = (boundary: string, ...parts: string[]) =>
	`${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join("")}--${boundary}--\r\n`;

describe("multipartFile", () => {
	it("reads the text fields asked for before the file, whatever the pieces; one after it, or too long, is a 400", async () => {
		const form = new FormData();
		form.append("note", "skipped");
		form.append("mapping", '{"E-mail":"email","Abteilung ü":"custom.dept"}');
		form.append("file", new File(["E-mail\na@example.com\n"], "a.csv", { type: "text/csv" }));
		const { bytes, contentType } = await encoded(form);
		for (const size of PIECE_SIZES) {
			const file = await multipartFile(piecesOf(bytes, size), contentType, ["mapping"]);
			expect(file.fields).toEqual({ mapping: '{"E-mail":"email","Abteilung ü":"custom.dept"}' });
			expect(await text(file.body)).toBe("E-mail\na@example.com\n");
		}

		const late = new FormData();
		late.append("file", new File(["x"], "a.csv"));
		late.append("mapping", "{}");
		const after = await encoded(late);
		const file = await multipartFile(piecesOf(after.bytes, 7), after.contentType, ["mapping"]);
		expect(await refusal(text(file.body))).toMatchObject({
			code: "VALIDATION_ERROR",
			message: 'Invalid multipart body: field "mapping" must come before field "file"',
		});

		const long = new FormData();
		long.append("mapping", "x".repeat(64 * 1024 + 1));
		long.append("file", new File(["x"], "a.csv"));
		const big = await encoded(long);
		expect(await refusal(multipartFile(piecesOf(big.bytes, 4096), big.contentType, ["mapping"]))).toMatchObject({
			message: 'Invalid multipart body: field "mapping" is longer than 65536 bytes',
		});
	});

	it("streams the file field's bytes whatever the pieces, past fields before and after it", async () => {
		const content = `{"externalId":"a"}\r\n--not-the-boundary\r\n\r\n-${"é".repeat(300)}\r\n{"externalId":"b"}\r`;
		const form = new FormData();
		form.append("note", "before\r\n--");
		form.append("file", new File([content], "users.csv", { type: "text/csv" }));
		form.append("after", new File(["ignored"], "x.txt"));
		const { bytes, contentType } = await encoded(form);
		for (const size of PIECE_SIZES) {
			const file = await multipartFile(piecesOf(bytes, size), contentType);
			expect(file).toMatchObject({ filename: "users.csv", mediaType: "text/csv" });
			expect(await text(file.body)).toBe(content);
		}
	});

	it("reads a body written by hand: quoted boundary, a part without headers, an empty file", async () => {
		const body = handmade(
			"b:1",
			"\r\nno headers",
			'Content-Disposition: form-data; name="file"; filename="e.ndjson"\r\n\r\n',
		);
		const file = await multipartFile(piecesOf(body, 3), 'multipart/form-data; boundary="b:1"');
		expect(file.filename).toBe("e.ndjson");
		expect(await text(file.body)).toBe("");
	});

	it("refuses what is not a multipart body with a file, before or while the file streams", async () => {
		const file = 'Content-Disposition: form-data; name="file"; filename="u.ndjson"\r\n\r\n{"externalId":"a"}';
		const good = handmade("xyz", file);
		const refusedAtOnce: [string, string, string][] = [
			["multipart/form-data", good, "Invalid multipart body: the Content-Type has no boundary"],
			["multipart/form-data; boundary=xyz", "", "Invalid multipart body: it is empty"],
			[
				"multipart/form-data; boundary=xyz",
				`preamble\r\n${good}`,
				"Invalid multipart body: it does not start with its boundary",
			],
			["multipart/form-data; boundary=other", good, "Invalid multipart body: it does not start with its boundary"],
			["multipart/form-data; boundary=xyz", "--xyz--\r\n", 'The multipart body has no file in field "file"'],
			[
				"multipart/form-data; boundary=xyz",
				"--xyz\r\nContent-Disposition: form-data; name=",
				"Invalid multipart body: it ends before its closing boundary",
			],
			[
				"multipart/form-data; boundary=xyz",
				`--xyz\r\n${"X-Long: y\r\n".repeat(1000)}\r\n`,
				"Invalid multipart body: a part's headers exceed 8192 bytes",
			],
		];
		for (const [type, body, message] of refusedAtOnce) {
			expect(await refusal(multipartFile(piecesOf(body, 5), type))).toMatchObject({
				code: "VALIDATION_ERROR",
				message,
			});
		}
		for (const cut of [
			good.slice(0, good.indexOf("--xyz--") - 2),
			good.slice(0, -4),
			`${good.slice(0, -9)}\r\n--xyz\r\n`,
		]) {
			const streamed = await multipartFile(piecesOf(cut, 4), "multipart/form-data; boundary=xyz");
			expect(await refusal(collect(streamed.body))).toMatchObject({
				code: "VALIDATION_ERROR",
				message: "Invalid multipart body: it ends before its closing boundary",
			});
		}
	});

	it("keeps memory flat: the file streams out while the body streams in", async () => {
		const head = bytesOf('--B\r\nContent-Disposition: form-data; name="file"; filename="big.ndjson"\r\n\r\n');
		const block = bytesOf(`{"externalId":"x"}\n`.repeat(3449));
		const tail = bytesOf("\r\n--B--\r\n");
		const pieces = Math.ceil((64 * MiB) / block.length);
		let pulled = 0;
		let step = 0;
		const source = new ReadableStream<Uint8Array>({
			pull(controller) {
				const piece = step === 0 ? head : step <= pieces ? block : step === pieces + 1 ? tail : null;
				step++;
				if (!piece) return controller.close();
				pulled += piece.length;
				controller.enqueue(piece.slice());
			},
		});
		const file = await multipartFile(source, "multipart/form-data; boundary=B");
		let consumed = 0;
		let ahead = 0;
		for await (const piece of file.body) {
			consumed += piece.length;
			ahead = Math.max(ahead, pulled - consumed);
		}
		expect(consumed).toBe(pieces * block.length);
		expect(ahead).toBeLessThan(MiB);
	});
});
