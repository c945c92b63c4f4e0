import { describe, expect, it } from "vitest";
import { KINDS } from "../../src/db/writes/kinds";
import { closestField, resolveColumn } from "../../src/ingest/headers";

const fieldOf = (name: string, type: keyof typeof KINDS = "users") => resolveColumn(name, KINDS[type])?.field;

describe("resolving a column name", () => {
	it("ignores case, spaces and punctuation", () => {
		for (const name of ["E-mail", "e_mail", " EMAIL ", "E.Mail"]) expect(fieldOf(name), name).toBe("email");
		for (const name of ["First Name", "first-name", "FIRSTNAME"]) expect(fieldOf(name), name).toBe("firstName");
		expect(fieldOf("User ID")).toBe("externalId");
	});

	it("knows common synonyms, each as the record type means it", () => {
		expect(fieldOf("Email Address")).toBe("email");
		expect(fieldOf("Employee ID")).toBe("externalId");
		expect(fieldOf("Employee ID", "enrollments")).toBe("userId");
		expect(fieldOf("Given name")).toBe("firstName");
		expect(fieldOf("Surname")).toBe("lastName");
		expect(fieldOf("Last Name")).toBe("lastName");
		expect(fieldOf("Company")).toBe("companyId");
		expect(fieldOf("Company Name", "companies")).toBe("name");
		expect(fieldOf("Course", "enrollments")).toBe("courseId");
		expect(fieldOf("Company Name")).toBeUndefined();
	});

	it("keeps custom. and metadata. columns apart, their keys as written", () => {
		expect(resolveColumn("Custom.Team Name", KINDS.users)).toEqual({ field: "customFields", key: "Team Name" });
		expect(resolveColumn("metadata.", KINDS.users)).toBeUndefined();
		expect(resolveColumn("metadata.x", KINDS.enrollments)).toBeUndefined();
	});
});

describe("the closest field", () => {
	it("is suggested for a slip of one or two edits, swaps counted as one", () => {
		expect(closestField("Emial", KINDS.users)).toBe("email");
		expect(closestField("Frist Name", KINDS.users)).toBe("firstName");
		expect(closestField("Compnay", KINDS.companies)).toBe("companyId");
		expect(closestField("corse_id", KINDS.enrollments)).toBe("courseId");
	});

	it("is not suggested when nothing is near, nor for very short names", () => {
		expect(closestField("shoe size", KINDS.users)).toBeUndefined();
		expect(closestField("foo", KINDS.users)).toBeUndefined();
		expect(closestField("xd", KINDS.users)).toBeUndefined();
	});
});
