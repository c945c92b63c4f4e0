import { describe, expect, it } from "vitest";
import { KINDS } from "../../src/db/writes/kinds";
import { plainUser } from "../../src/schemas/plain-user";

const schema = KINDS.users.validator;
const base = { externalId: "emp-1", email: "ada@example.com" };

/** Records the hand-written check accepts: the schema must accept each and give the same record. */
const COMMON: unknown[] = [
	base,
	{ externalId: "emp-2" },
	{ email: "only@example.com", firstName: "Ada", lastName: "Lovelace" },
	{ user_id: "emp-3", first_name: "Grace", last_name: "Hopper", company_id: "acme", client_id: "c1" },
	{ userId: "emp-4", role: "admin", status: "inactive" },
	{ ...base, metadata: { team: "a", level: 3, active: true, left: null } },
	{ ...base, customFields: { title: "Analyst", score: 1.5, remote: false, gone: null } },
	{ ...base, externalId: "x".repeat(255), firstName: "", role: "r".repeat(64) },
	{ ...base, externalId: "émile 😀", email: "a.b+c@d.example" },
];

/** Records it leaves to the schema: invalid ones, and valid ones outside the common shape. */
const OTHER: unknown[] = [
	null,
	"emp-1",
	[base],
	{},
	{ firstName: "no identity" },
	{ ...base, unknown: 1 },
	{ externalId: "a", userId: "b" },
	{ externalId: "" },
	{ externalId: "   " },
	{ externalId: "a\u0000b" },
	{ externalId: "a\u0085" },
	{ externalId: "x".repeat(256) },
	{ email: "not-an-email" },
	{ email: `${"a".repeat(250)}@x.io` },
	{ ...base, firstName: 3 },
	{ ...base, lastName: "l".repeat(256) },
	{ ...base, role: "r".repeat(65) },
	{ ...base, clientId: "c".repeat(256) },
	{ ...base, status: "deleted" },
	{ ...base, companyId: " " },
	{ ...base, metadata: { nested: { a: 1 } } },
	{ ...base, metadata: [1] },
	{ ...base, customFields: { nested: { a: [1, 2] } } },
	{ ...base, customFields: { big: "x".repeat(16 * 1024) } },
	{ ...base, customFields: "text" },
	{ ...base, firstName: undefined },
	JSON.parse('{"externalId":"p","metadata":{"__proto__":"x"}}'),
];

describe("the hand-written user check", () => {
	it("accepts the common record shapes as the schema gives them", () => {
		for (const record of COMMON) {
			const parsed = schema.safeParse(record);
			expect(parsed.success, JSON.stringify(record)).toBe(true);
			expect(plainUser(record), JSON.stringify(record)).toEqual(parsed.data);
		}
	});

	it("leaves every other record to the schema, so a rejected record's errors are the schema's own", () => {
		for (const record of OTHER) {
			const parsed = schema.safeParse(record);
			const accepted = plainUser(record);
			if (accepted === undefined) continue;
			expect(parsed.success, JSON.stringify(record)).toBe(true);
			expect(accepted).toEqual(parsed.data);
		}
		const invalid = OTHER.filter((record) => !schema.safeParse(record).success);
		expect(invalid.length).toBeGreaterThan(20);
		expect(invalid.map((record) => plainUser(record))).toEqual(invalid.map(() => undefined));
	});
});
