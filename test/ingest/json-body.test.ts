import { describe, expect, it } from "vitest";
import { BulkBodyReader } from "../../src/ingest/json-body";
import { BulkUsersBody } from "../../src/schemas/bulk";
import { ImportOptions } from "../../src/schemas/records";
import { bytesOf, PIECE_SIZES, piecesOf } from "./streams";

const MiB = 1024 * 1024;
const USERS = { key: "users", schema: BulkUsersBody };
const encoder = new TextEncoder();

async function readAll(body: string | ReadableStream<Uint8Array>, pieceSize = 1 << 20, maxRecords = 10_000) {
	const source = typeof body === "string" ? piecesOf(body, pieceSize) : body;
	const reader = new BulkBodyReader(source, USERS, maxRecords);
	const records = await reader.take(Number.POSITIVE_INFINITY);
	return { records, options: reader.importOptions };
}

/** `head`, then `unit` repeated up to about `total` bytes, then `tail`, made as it is read; `pulled` counts what was. */
function hostile(head: string, unit: string, total: number, tail = "") {
	const stats = { pulled: 0 };
	const block = encoder.encode(unit.repeat(Math.ceil(65_536 / unit.length)));
	let sent = -1;
	const stream = new ReadableStream<Uint8Array>({
		pull(controller) {
			const piece = sent < 0 ? encoder.encode(head) : sent < total ? block : encoder.encode(tail);
			if (sent >= total + 1) return controller.close();
			sent = sent < 0 ? 0 : sent < total ? sent + block.length : total + 1;
			stats.pulled += piece.length;
			controller.enqueue(piece);
		},
	});
	return { stream, stats };
}

async function refusal(body: string | ReadableStream<Uint8Array>, maxRecords?: number) {
	try {
		await readAll(body, 1 << 20, maxRecords);
	} catch (error) {
		return error as { code: string; message: string; details?: { path: string; message: string }[] };
	}
	throw new Error("the body was accepted");
}

describe("BulkBodyReader", () => {
	const users = [
		{ externalId: "a", email: "ann@example.com", customFields: { team: { name: "Ops", floors: [1, 2] } } },
		{ userId: "b", first_name: 'Émile \u2028 \\ " \n', metadata: { level: 3, active: true, none: null } },
		{ externalId: "c", lastName: "😀 café", customFields: { "": "", "\u0000": -1.5e-7 } },
		0,
		[],
		"just a string",
		null,
		JSON.parse('{"externalId":"d","__proto__":{"polluted":true}}'),
	];
	const options = { sendWelcomeEmail: true, inviteMessage: "Welcome 👋" };
	const pretty = `\uFEFF {\n  "users" : ${JSON.stringify(users, null, 2)} ,\r\n\t"options": ${JSON.stringify(options)}\n}\n\n`;

	it("gives the records and options JSON.parse gives, whatever the pieces the body arrives in", async () => {
		const expected = JSON.parse(pretty.slice(1)) as { users: unknown[] };
		for (const size of PIECE_SIZES) {
			const read = await readAll(pretty, size);
			expect(read.records).toEqual(expected.users);
			expect(read.options).toEqual(ImportOptions.parse(options));
			expect(Object.hasOwn(read.records[7] as object, "__proto__")).toBe(true);
		}
	});

	it("takes options before the records, or none at all", async () => {
		const before = await readAll(JSON.stringify({ options: { upsert: false }, users: [{ externalId: "x" }] }));
		expect(before).toEqual({ records: [{ externalId: "x" }], options: ImportOptions.parse({ upsert: false }) });
		expect((await readAll('{"users":[{"externalId":"y"}]}')).options).toEqual(ImportOptions.parse({}));
	});

	it("gives records as NDJSON lines, one per record, as it reads them", async () => {
		const reader = new BulkBodyReader(piecesOf(JSON.stringify({ users }), 7), USERS, 10);
		const head = await reader.take(2);
		expect(reader.done).toBe(false);
		const text = await new Response(reader.ndjson(head)).text();
		expect(
			text
				.split("\n")
				.slice(0, -1)
				.map((line) => JSON.parse(line)),
		).toEqual(JSON.parse(JSON.stringify(users)));
		expect(reader.done).toBe(true);
	});

	it("refuses the record over the limit as it starts, having read a fraction of a 32 MiB body", async () => {
		for (const unit of ["0,", "[],", "{},", '"",']) {
			const { stream, stats } = hostile('{"users":[', unit, 32 * MiB, "0]}");
			const error = await refusal(stream);
			expect(error).toMatchObject({
				code: "PAYLOAD_TOO_LARGE",
				message: "At most 10000 records per request; this body has more",
			});
			expect(stats.pulled).toBeLessThan(256 * 1024);
		}
		expect(await refusal(JSON.stringify({ users: Array(101).fill({}) }), 100)).toMatchObject({
			code: "PAYLOAD_TOO_LARGE",
		});
		expect((await readAll(JSON.stringify({ users: Array(100).fill({}) }), 1 << 20, 100)).records).toHaveLength(100);
	});

	it("refuses nesting deeper than 64 levels as it goes, in records and in options", async () => {
		for (const head of ['{"users":[', '{"options":', '{"users":[{"customFields":']) {
			const { stream, stats } = hostile(head, "[", 32 * MiB);
			expect(await refusal(stream)).toMatchObject({
				code: "VALIDATION_ERROR",
				message: "The JSON body nests deeper than 64 levels",
			});
			expect(stats.pulled).toBeLessThan(256 * 1024);
		}
		const deep = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
		expect((await readAll(`{"users":[{"customFields":${deep(60)}}]}`)).records).toHaveLength(1);
	});

	it("refuses a record, a value or options larger than their caps before they are whole", async () => {
		const cases = [
			['{"users":[{"firstName":"', "x", "Record 0 is larger than 1048576 bytes"],
			['{"users":[{},"', "x", "Record 1 is larger than 1048576 bytes"],
			['{"users":[{},{"customFields":{', '"k":1,', "Record 1 is larger than 1048576 bytes"],
			['{"users":[{}],"options":{"inviteMessage":"', "x", "options is larger than 65536 bytes"],
			['{"users":[{}],"options":"', "x", "The JSON body holds a value larger than 1048576 bytes"],
			["", "1", "The JSON body holds a value larger than 1048576 bytes"],
		] as const;
		for (const [head, unit, message] of cases) {
			const { stream, stats } = hostile(head, unit, 32 * MiB);
			expect(await refusal(stream)).toMatchObject({ code: "PAYLOAD_TOO_LARGE", message });
			expect(stats.pulled).toBeLessThan(2 * MiB);
		}
		const justUnder = { externalId: "big", customFields: { notes: "y".repeat(MiB - 100) } };
		expect((await readAll(JSON.stringify({ users: [justUnder] }))).records).toEqual([justUnder]);
	});

	it("refuses a body of another shape with the route schema's message", async () => {
		const cases: [string, string][] = [
			['[{"externalId":"a"}]', "Invalid body: Invalid input: expected object, received array"],
			[
				'{"people":[{"externalId":"a"}]}',
				'Invalid body field "users": Invalid input: expected array, received undefined (and 1 more in details)',
			],
			['{"users":[{}],"colour":"red","size":[1,{"a":2}]}', 'Unknown body field "colour", "size"'],
			['{"users":{"externalId":"a"}}', 'Invalid body field "users": Invalid input: expected array, received object'],
			['{"users":"everyone"}', 'Invalid body field "users": Invalid input: expected array, received string'],
			['{"users":[]}', 'Invalid body field "users": Too small: expected array to have >=1 items'],
			['{"options":{}}', 'Invalid body field "users": Invalid input: expected array, received undefined'],
			['{"users":[{}],"options":{"turbo":true}}', 'Unknown body field "options.turbo"'],
			[
				'{"users":[{}],"options":{"dryRun":"yes"}}',
				'Invalid body field "options.dryRun": Invalid input: expected boolean, received string',
			],
			['{"users":[{}],"users":[{}]}', 'Body field "users" appears twice'],
			['{"users":[{}],"options":{"__proto__":{"dryRun":true}}}', 'Unknown body field "options.__proto__"'],
		];
		for (const [body, message] of cases)
			expect(await refusal(body)).toMatchObject({ code: "VALIDATION_ERROR", message });
	});

	it("refuses malformed JSON: bad syntax, a cut body, trailing data, no body", async () => {
		const bad = [
			'{"users" [{}]}',
			'{"users":[{},]}',
			'{"users":[{"a":1}}',
			'{"users":[{"externalId":"a"}',
			'{"users":[{"externalId":"a"}]',
			'{"users":[{}]} {"users":[{}]}',
			'{"users":[{}]}x',
			"",
			"   ",
		];
		for (const body of bad) expect(await refusal(body)).toMatchObject({ message: "Malformed JSON in request body" });
	});

	it("refuses bytes that are not UTF-8, in a string, between tokens or cut off at the end, whatever the pieces", async () => {
		const bodies = [
			[...bytesOf('{"users":[{"firstName":"'), 0xe9, ...bytesOf('"}]}')],
			[...bytesOf('{"users":[{"firstName":"\u00e9 '), 0xc3, 0x28, ...bytesOf('"}]}')],
			[...bytesOf('{"users":[{}]'), 0xff, ...bytesOf("}")],
			[...bytesOf('{"users":[{"lastName":"'), 0xed, 0xa0, 0x80, ...bytesOf('"}]}')],
			[...bytesOf('{"users":[{"firstName":"ab'), 0xe2, 0x82],
		];
		for (const body of bodies)
			for (const size of PIECE_SIZES)
				expect(await refusal(piecesOf(new Uint8Array(body), size))).toMatchObject({
					code: "VALIDATION_ERROR",
					message: "The JSON body is not valid UTF-8",
				});
		const split = new Uint8Array([...bytesOf('{"users":[{"externalId":"caf'), 0xc3, 0xa9, ...bytesOf('"}]}')]);
		for (const size of PIECE_SIZES)
			expect((await readAll(piecesOf(split, size))).records).toEqual([{ externalId: "café" }]);
	});
});
