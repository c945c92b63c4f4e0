import { describe, expect, it } from "vitest";
import { KINDS } from "../../src/db/writes/kinds";
import { csvErrorNames, mapCsvHeader, parseCsvChunk } from "../../src/ingest/csv";

const rejection = (fn: () => unknown) => {
	try {
		fn();
	} catch (err) {
		return err;
	}
	throw new Error("expected a throw");
};

describe("naming a CSV record's error", () => {
	it("gives the header cell of the field's column and the field as that header spells it", () => {
		const { columns } = mapCsvHeader(" USER_ID ,Email,metadata.Plan,custom.a,custom.b", KINDS.users);
		const named = (field: string) => csvErrorNames(field, columns, KINDS.users);
		expect(named("externalId")).toEqual({ field: "user_id", column: " USER_ID " });
		expect(named("email")).toEqual({ field: "email", column: "Email" });
		expect(named("metadata.Plan")).toEqual({ field: "metadata.Plan", column: "metadata.Plan" });
		expect(named("customFields")).toEqual({ field: "customFields" });
		expect(named("role")).toEqual({ field: "role" });
	});
});

describe("mapping a CSV header", () => {
	it("matches names and aliases case-insensitively, trimmed, to canonical fields", () => {
		const { columns } = mapCsvHeader(" USER_ID ,Email,first_name,LastName,company_id,role,Client_Id", KINDS.users);
		expect(columns.map((c) => c.field)).toEqual([
			"externalId",
			"email",
			"firstName",
			"lastName",
			"companyId",
			"role",
			"clientId",
		]);
		expect(mapCsvHeader("Company_ID,name", KINDS.companies).columns).toEqual([
			{ field: "companyId", header: "Company_ID" },
			{ field: "name", header: "name" },
		]);
		const enrollments = mapCsvHeader('externalId,"course_id",learning_path_id,BUNDLE_ID,source', KINDS.enrollments);
		expect(enrollments.columns.map((c) => c.field)).toEqual([
			"userId",
			"courseId",
			"learningPathId",
			"bundleId",
			"source",
		]);
	});

	it("custom. and metadata. columns map into customFields and metadata, keeping the key's case", () => {
		expect(mapCsvHeader("email,custom.Department,Metadata.hrisId", KINDS.users).columns).toEqual([
			{ field: "email", header: "email" },
			{ field: "customFields", key: "Department", header: "custom.Department" },
			{ field: "metadata", key: "hrisId", header: "Metadata.hrisId" },
		]);
		expect(mapCsvHeader("companyId,metadata.Tier", KINDS.companies).columns[1]).toEqual({
			field: "metadata",
			key: "Tier",
			header: "metadata.Tier",
		});
	});

	it("every unknown column is named in one 400", () => {
		const err = rejection(() => mapCsvHeader("email,foo,shoe size,custom.", KINDS.users));
		expect(err).toMatchObject({
			code: "VALIDATION_ERROR",
			message: 'Unknown CSV column(s): "foo", "shoe size", "custom."',
			details: [{ path: "header", message: 'Unknown CSV column(s): "foo", "shoe size", "custom."' }],
		});
	});

	it("custom. and metadata. columns are unknown where the record type has no such field", () => {
		expect(rejection(() => mapCsvHeader("companyId,custom.x", KINDS.companies))).toMatchObject({
			message: 'Unknown CSV column(s): "custom.x"',
		});
		expect(rejection(() => mapCsvHeader("email,courseId,metadata.x", KINDS.enrollments))).toMatchObject({
			message: 'Unknown CSV column(s): "metadata.x"',
		});
	});

	it("a field given twice, under any name, is a 400", () => {
		expect(rejection(() => mapCsvHeader("email,userId,EMAIL,externalId", KINDS.users))).toMatchObject({
			code: "VALIDATION_ERROR",
			message: 'Duplicate CSV column(s): "EMAIL" (same as "email"), "externalId" (same as "userId")',
		});
		expect(rejection(() => mapCsvHeader("email,custom.a,Custom.a,custom.A", KINDS.users))).toMatchObject({
			message: 'Duplicate CSV column(s): "Custom.a" (same as "custom.a")',
		});
	});

	it("a mapping sends columns where it says, its keys matched exactly or like headers", () => {
		const mapping = { Badge: "externalId", "work mail": "email", Dept: "custom.department", Emial: "role" };
		expect(mapCsvHeader("BADGE,Work-Mail,Dept,Emial,Surname", KINDS.users, mapping).columns).toEqual([
			{ field: "externalId", header: "BADGE" },
			{ field: "email", header: "Work-Mail" },
			{ field: "customFields", key: "department", header: "Dept" },
			{ field: "role", header: "Emial" },
			{ field: "lastName", header: "Surname" },
		]);
	});

	it("two columns mapped to one field, or to a field the type lacks, are a 400", () => {
		expect(rejection(() => mapCsvHeader("Badge,id", KINDS.users, { Badge: "externalId" }))).toMatchObject({
			message: 'Duplicate CSV column(s): "id" (same as "Badge")',
		});
		expect(rejection(() => mapCsvHeader("Org,Label", KINDS.companies, { Label: "nmae" }))).toMatchObject({
			message: 'Unknown CSV column(s): "Label" (mapped to "nmae", which is not a field; did you mean "name"?)',
		});
	});

	it("an empty header is a missing header row", () => {
		expect(rejection(() => mapCsvHeader("", KINDS.users))).toMatchObject({
			code: "VALIDATION_ERROR",
			message: "CSV file has no header row",
		});
	});
});

describe("parsing a CSV chunk", () => {
	const { columns } = mapCsvHeader("externalId,email,custom.Team,metadata.level", KINDS.users);

	it("gives records with canonical names, string values, and empty cells left out", () => {
		expect([...parseCsvChunk('007,a@x.io,"Red, Blue",3\r\nu2,,,\r\n', columns, 2)]).toEqual([
			{
				line: 2,
				raw: '007,a@x.io,"Red, Blue",3',
				value: { externalId: "007", email: "a@x.io", customFields: { Team: "Red, Blue" }, metadata: { level: "3" } },
			},
			{ line: 3, raw: "u2,,,", value: { externalId: "u2" } },
		]);
	});

	it("a record spanning lines reports its first line and its original text", () => {
		const text = 'u1,a@x.io,"line one\r\nline ""two""",1\r\n\r\nu2,b@x.io,,\n';
		expect([...parseCsvChunk(text, columns, 10)]).toEqual([
			{
				line: 10,
				raw: 'u1,a@x.io,"line one\r\nline ""two""",1',
				value: {
					externalId: "u1",
					email: "a@x.io",
					customFields: { Team: 'line one\r\nline "two"' },
					metadata: { level: "1" },
				},
			},
			{ line: 13, raw: "u2,b@x.io,,", value: { externalId: "u2", email: "b@x.io" } },
		]);
	});

	it("rows with too many or too few columns fail alone", () => {
		const lines = [...parseCsvChunk("u1,a@x.io,,\nu2,b@x.io\nu3,c@x.io,,,extra\nu4,d@x.io,,", columns, 2)];
		expect(lines.map((l) => [l.line, l.error ?? l.value?.externalId])).toEqual([
			[2, "u1"],
			[3, "row has 2 columns, header has 4"],
			[4, "row has 5 columns, header has 4"],
			[5, "u4"],
		]);
		expect(lines[1]).toMatchObject({ raw: "u2,b@x.io" });
	});

	it("a malformed quoted row fails alone while its neighbours parse", () => {
		const lines = [...parseCsvChunk('u1,a@x.io,,\nu2,"b"x@x.io,,\nu3,c@x.io,,\n', columns, 2)];
		expect(lines.map((l) => [l.line, l.error ?? l.value?.externalId])).toEqual([
			[2, "u1"],
			[3, "row is not valid CSV: Invalid Closing Quote"],
			[4, "u3"],
		]);
	});

	it("given the chunk's bytes, a row that is not UTF-8 fails alone, a real U+FFFD does not, whatever rows span lines", () => {
		const encode = (text: string) => new TextEncoder().encode(text);
		const bytes = new Uint8Array([
			...encode('u1,a@x.io,"two\nlines \u00e9",1\n'),
			...encode("u2,b@x.io,caf"),
			0xe9,
			...encode(",2\r\n\r\nu3,c@x.io,\uFFFD,3\n"),
			...encode('u4,d@x.io,"split '),
			0xc3,
			0x28,
			...encode('\n row",4\nu5,e@x.io,,5'),
		]);
		const lines = [...parseCsvChunk(bytes, columns, 7)];
		expect(lines.map((l) => [l.line, l.error ?? l.value?.externalId])).toEqual([
			[7, "u1"],
			[9, "row is not valid UTF-8"],
			[11, "u3"],
			[12, "row is not valid UTF-8"],
			[14, "u5"],
		]);
		expect(lines[1]!.raw).toBe("u2,b@x.io,caf\uFFFD,2");
		expect(lines[2]!.value?.customFields).toEqual({ Team: "\uFFFD" });
		const valid = encode('u1,a@x.io,"Ünïcode 😀",1\n');
		expect([...parseCsvChunk(valid, columns, 2)]).toEqual([
			...parseCsvChunk(new TextDecoder().decode(valid), columns, 2),
		]);
	});
});
