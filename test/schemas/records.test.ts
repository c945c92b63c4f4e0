import { describe, expect, it } from "vitest";
import { KINDS } from "../../src/db/writes/kinds";
import { BulkImportBody } from "../../src/schemas/imports";
import { EnrollmentRecord, Id, UserRecord } from "../../src/schemas/records";

const CONTROL = ["\u0000", "a\u0000b", "\t", "a\nb", "\r", "x\u001b[31m", "\u007f", "a\u0080", "\u0085", "id\u009f"];
const BLANK = [" ", "   ", "\u00a0", "\u3000", "\u2028", " \u205f "];
const GOOD = ["a", "a b", " leading", "trailing ", "émile", "😀", "emp_001-x.y@z", "\u200b", "x".repeat(255)];

const errorsOf = (result: { success: boolean; error?: { issues: { message: string; path: PropertyKey[] }[] } }) =>
	result.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];

describe("ids (spec §4)", () => {
	it("hold no control character (C0, DEL, C1) and are not blank", () => {
		for (const id of CONTROL)
			expect(errorsOf(Id.safeParse(id)), JSON.stringify(id)).toContain(": Ids may not contain control characters");
		for (const id of BLANK) expect(errorsOf(Id.safeParse(id)), JSON.stringify(id)).toEqual([": Ids may not be blank"]);
		for (const id of GOOD) expect(Id.safeParse(id).success, JSON.stringify(id)).toBe(true);
		expect(Id.safeParse("").success).toBe(false);
		expect(Id.safeParse("x".repeat(256)).success).toBe(false);
	});

	it("apply to every id field of every record type, under any alias", () => {
		const bad = "emp\u0000";
		expect(errorsOf(UserRecord.safeParse({ externalId: bad }))).toEqual([
			"externalId: Ids may not contain control characters",
		]);
		expect(errorsOf(UserRecord.safeParse({ email: "a@example.com", companyId: "  " }))).toEqual([
			"companyId: Ids may not be blank",
		]);
		expect(errorsOf(KINDS.users.validator.safeParse({ user_id: bad }))).toEqual([
			"externalId: Ids may not contain control characters",
		]);
		expect(errorsOf(KINDS.companies.validator.safeParse({ company_id: "\u0085" }))).toEqual([
			"companyId: Ids may not contain control characters",
		]);
		for (const field of ["userId", "courseId", "learningPathId", "bundleId"]) {
			const target = field === "userId" ? "courseId" : field;
			const record = { userId: "u", [target]: "c", [field]: "\t" };
			expect(errorsOf(EnrollmentRecord.safeParse(record))).toContain(
				`${field}: Ids may not contain control characters`,
			);
		}
		expect(UserRecord.safeParse({ externalId: "emp 001", companyId: "Ünïcode 😀" }).success).toBe(true);
	});

	it("apply to the catalog ids a URL import assigns", () => {
		expect(BulkImportBody.safeParse({ url: "https://example.com/a.csv", courseIds: ["c1", "c\u0000"] }).success).toBe(
			false,
		);
		expect(BulkImportBody.safeParse({ url: "https://example.com/a.csv", licenseIds: " " }).success).toBe(false);
		expect(BulkImportBody.safeParse({ url: "https://example.com/a.csv", bundleIds: "b 1" }).success).toBe(true);
	});
});
