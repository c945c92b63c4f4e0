import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { records } from "../../../src/db/client";
import { jsonRows, rowsFunction, rowsOf } from "../../../src/db/writes/json-param";

describe("bound rows", () => {
	it("read the same through jsonb_each as through json_each, objects' JSON text included", async () => {
		const database = records(env, 0);
		const rows = jsonRows(["text", "number", "object", "flag"]);
		const part = rows.parts([
			{ text: 'é😀\u2028 "quoted" \\ back\'slash', number: 1.5, object: { k: "v", n: [1, { x: "é" }] }, flag: true },
			{ text: "", number: -0, object: {}, flag: false },
			{ text: "plain", number: 2 ** 53 + 1, object: { "spaced key": null, emoji: "😀" } },
			{ number: 1e21 },
		])[0]!;
		const read = (each: "json_each" | "jsonb_each") =>
			database.all(
				sql`SELECT ${rows.field("text")} AS text, ${rows.field("number")} AS number, ${rows.field("object")} AS object,
					${rows.field("flag")} AS flag FROM ${rowsOf(part, each)}`,
			);
		const plain = await read("json_each");
		expect(plain).toHaveLength(4);
		expect(await read("jsonb_each")).toEqual(plain);
		expect(["json_each", "jsonb_each"]).toContain(await rowsFunction(database));
	});
});
