import { CUSTOM_FIELDS_MAX_BYTES, EMAIL, USER_ALIASES, USER_STATUSES, type UserRecord } from "./records";

type Check = (value: unknown) => boolean;

const text =
	(max: number, min = 0) =>
	(v: unknown) =>
		typeof v === "string" && v.length >= min && v.length <= max;
const CONTROL = /\p{Cc}/u;
const id: Check = (v) => text(255, 1)(v) && !CONTROL.test(v as string) && (v as string).trim() !== "";
const primitive = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);
const isPlain = (v: unknown): v is Record<string, unknown> =>
	typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;
// Flat objects only: anything nested, and the key `__proto__` that a copy would not keep, goes to zod.
const flat = (v: unknown) => isPlain(v) && !Object.hasOwn(v, "__proto__") && Object.values(v).every(primitive);

const CHECKS: Record<keyof UserRecord, Check> = {
	externalId: id,
	email: (v) => text(254)(v) && EMAIL.test(v as string),
	firstName: text(255),
	lastName: text(255),
	companyId: id,
	role: text(64),
	clientId: text(255),
	status: (v) => (USER_STATUSES as readonly unknown[]).includes(v),
	customFields: (v) => flat(v) && JSON.stringify(v).length <= CUSTOM_FIELDS_MAX_BYTES,
	metadata: flat,
};

const CANONICAL = new Map<string, keyof UserRecord>(
	Object.keys(CHECKS).map((field) => [field, field as keyof UserRecord]),
);
for (const [field, aliases] of Object.entries(USER_ALIASES))
	for (const alias of aliases) CANONICAL.set(alias, field as keyof UserRecord);

/**
 * The common user record checked by hand, several times faster than the schema: the record the
 * schema would give for it, or undefined for anything this check does not accept, valid or not,
 * which the schema then checks and words the errors of. It never rejects, so messages cannot differ.
 */
export function plainUser(input: unknown): UserRecord | undefined {
	if (!isPlain(input)) return undefined;
	const out: Record<string, unknown> = {};
	for (const key in input) {
		const field = CANONICAL.get(key);
		const value = input[key];
		if (field === undefined || field in out || value === undefined || !CHECKS[field](value)) return undefined;
		out[field] = value;
	}
	if (out.externalId === undefined && out.email === undefined) return undefined;
	return out as UserRecord;
}
