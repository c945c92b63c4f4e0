import type { ColumnTarget } from "../schemas/jobs";
import type { Aliases } from "../schemas/records";

/** A record type's canonical fields and their other spellings: the columns a header may name. */
export type RecordColumns = { fields: readonly string[]; aliases: Aliases };

/** `custom.<key>` and `metadata.<key>` columns fill these object fields, where the type has them. */
const GROUPS = { custom: "customFields", metadata: "metadata" } as const;
const GROUP_FIELDS: readonly string[] = Object.values(GROUPS);

/**
 * What HR systems and spreadsheets call the fields, written as `normalize` leaves them; a type
 * uses the entries of the fields it has (an "Employee ID" is a user's externalId and an
 * enrollment's userId).
 */
const SYNONYMS: { readonly [field: string]: readonly string[] } = {
	externalId: ["employeeid", "employeenumber", "employeeno", "empid", "empno", "staffid", "personid", "workerid", "id"],
	userId: ["employeeid", "employeenumber", "empid", "learnerid", "user", "learner"],
	email: ["emailaddress", "mail", "workemail", "primaryemail", "useremail", "learneremail"],
	firstName: ["givenname", "forename", "first"],
	lastName: ["surname", "familyname", "last"],
	companyId: ["company", "companycode", "organization", "organisation", "organizationid", "orgid", "org"],
	name: ["companyname", "organizationname", "organisationname", "orgname"],
	role: ["userrole"],
	clientId: ["client"],
	courseId: ["course", "coursecode"],
	learningPathId: ["learningpath", "path", "pathid"],
	bundleId: ["bundle"],
};

/** Case, spaces and punctuation do not tell headers apart: "E-mail", "e_mail" and "EMail" are one name. */
export const normalize = (name: string) => name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");

/** Every way a type's columns may be named, normalized, to the canonical field; groups excluded. */
function spellings(record: RecordColumns): Map<string, string> {
	const lookup = new Map<string, string>();
	for (const field of record.fields.filter((f) => !GROUP_FIELDS.includes(f))) {
		for (const name of [...(SYNONYMS[field] ?? []), field, ...(record.aliases[field] ?? [])]) {
			lookup.set(normalize(name), field);
		}
	}
	return lookup;
}

/**
 * Where a column named `name` goes: a field by any spelling (case, spaces and punctuation
 * ignored), or `custom.<key>` / `metadata.<key>` (key kept as written) where the type has them.
 */
export function resolveColumn(name: string, record: RecordColumns): ColumnTarget | undefined {
	const trimmed = name.trim();
	const dot = trimmed.indexOf(".");
	const prefix = trimmed.slice(0, dot).toLowerCase();
	const key = trimmed.slice(dot + 1);
	if (dot > 0 && (prefix === "custom" || prefix === "metadata")) {
		const group = GROUPS[prefix];
		return key !== "" && record.fields.includes(group) ? { field: group, key } : undefined;
	}
	const field = spellings(record).get(normalize(trimmed));
	return field ? { field } : undefined;
}

/**
 * The canonical field whose spelling is closest to `name` by edit distance, when it is close
 * enough to be a slip (2 edits, 1 for names of 4 or 5 characters, none below); undefined otherwise.
 */
export function closestField(name: string, record: RecordColumns): string | undefined {
	const wanted = normalize(name);
	let best: { field: string; distance: number } | undefined;
	for (const [spelling, field] of spellings(record)) {
		const distance = editDistance(wanted, spelling);
		if (!best || distance < best.distance) best = { field, distance };
	}
	const limit = wanted.length <= 3 ? 0 : wanted.length <= 5 ? 1 : 2;
	return best && best.distance <= limit ? best.field : undefined;
}

/** Edits (insert, delete, substitute, swap two neighbours) from a to b: "emial" is one from "email". */
function editDistance(a: string, b: string): number {
	const d = Array.from({ length: a.length + 1 }, (_, i) =>
		Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : i)),
	);
	for (let i = 1; i <= a.length; i++) {
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
				d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
			}
		}
	}
	return d[a.length]![b.length]!;
}
