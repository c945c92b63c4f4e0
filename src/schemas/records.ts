import { z } from "@hono/zod-openapi";

export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const CUSTOM_FIELDS_MAX_BYTES = 16 * 1024;
const CUSTOM_FIELDS_MAX_DEPTH = 16;

/**
 * Spec §4: an id (externalId, companyId, a catalog id) names a record in URLs, CSV files and
 * reports, so it holds no control character (C0, DEL, C1: Unicode's Cc) and is not blank.
 */
export const Id = z
	.string()
	.min(1)
	.max(255)
	.refine((v) => !/\p{Cc}/u.test(v), "Ids may not contain control characters")
	.refine((v) => v.trim() !== "", "Ids may not be blank");
const email = z.string().max(254, "Email is longer than 254 characters").regex(EMAIL, "Invalid email format");
const name = z.string().max(255);
const primitive = z.union([z.string(), z.number(), z.boolean(), z.null()], {
	error: "Metadata values must be a string, number, boolean or null",
});
const metadata = z.record(z.string(), primitive, {
	error: "Metadata must be an object of strings, numbers, booleans or nulls",
});
const customFields = z
	.record(z.string(), z.unknown(), { error: "customFields must be a JSON object" })
	// Checked first and alone: serializing data nested thousands of levels deep overflows the stack.
	.refine((v) => !nestsDeeperThan(v, CUSTOM_FIELDS_MAX_DEPTH), {
		message: `customFields nests deeper than ${CUSTOM_FIELDS_MAX_DEPTH} levels`,
		abort: true,
	})
	.refine((v) => JSON.stringify(v).length <= CUSTOM_FIELDS_MAX_BYTES, "customFields is larger than 16 KB");

/** Whether objects and arrays nest more than `limit` levels (`{"a":1}` is one); level by level, so any depth is safe. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
	const isContainer = (v: unknown): v is object => typeof v === "object" && v !== null;
	let level = [value].filter(isContainer);
	for (let depth = 1; level.length > 0; depth++) {
		if (depth > limit) return true;
		level = level.flatMap((v) => Object.values(v).filter(isContainer));
	}
	return false;
}

/** A record type's other spellings of its fields (`user_id`, `first_name`, …): canonical name -> aliases. */
export type Aliases = { readonly [field: string]: readonly string[] | undefined };

const aliasNote = (aliases: Aliases) =>
	`${Object.keys(aliases).length === 1 ? "Alias" : "Aliases"} accepted: ${Object.values(aliases)
		.map((names) => names?.join("/"))
		.join(", ")}.`;

/**
 * Accepts the seeds' spellings of a field and renames them to the canonical one before the strict
 * schema runs; giving two spellings of one field is an error.
 */
export function withAliases<T extends z.ZodType<unknown, Record<string, unknown>>>(schema: T, aliases: Aliases) {
	return z
		.unknown()
		.transform((input, ctx) => {
			if (typeof input !== "object" || input === null || Array.isArray(input)) {
				ctx.addIssue({ code: "custom", message: "The record must be a JSON object" });
				return z.NEVER;
			}
			const out: Record<string, unknown> = { ...input };
			for (const [canonical, names] of Object.entries(aliases)) {
				const given = [canonical, ...(names ?? [])].filter((n) => n in out);
				if (given.length > 1) {
					ctx.addIssue({ code: "custom", path: [given[1]!], message: `Give only one of ${given.join(", ")}` });
					continue;
				}
				const alias = given[0];
				if (alias && alias !== canonical) {
					out[canonical] = out[alias];
					delete out[alias];
				}
			}
			return out;
		})
		.pipe(schema);
}

export const USER_ALIASES = {
	externalId: ["userId", "user_id"],
	firstName: ["first_name"],
	lastName: ["last_name"],
	companyId: ["company_id"],
	clientId: ["client_id"],
} as const;

export const USER_STATUSES = ["active", "inactive"] as const;

export const UserRecord = z
	.strictObject({
		externalId: Id.optional(),
		email: email.optional(),
		firstName: name.optional(),
		lastName: name.optional(),
		companyId: Id.optional(),
		role: z.string().max(64).optional(),
		clientId: z.string().max(255).optional(),
		status: z.enum(USER_STATUSES).optional().openapi({
			description: "Absent: the user is active (an import that names an inactive user makes it active again).",
		}),
		customFields: customFields.optional(),
		metadata: metadata.optional(),
	})
	.refine((u) => u.externalId !== undefined || u.email !== undefined, {
		message: "externalId or email is required",
		path: ["externalId"],
	})
	.openapi("UserRecord", { description: aliasNote(USER_ALIASES) });

export const COMPANY_ALIASES = { companyId: ["company_id"] } as const;

export const CompanyRecord = z
	.strictObject({ companyId: Id, name: name.optional(), metadata: metadata.optional() })
	.openapi("CompanyRecord", { description: aliasNote(COMPANY_ALIASES) });

export const ENROLLMENT_ALIASES = {
	userId: ["user_id", "externalId"],
	courseId: ["course_id"],
	learningPathId: ["learning_path_id"],
	bundleId: ["bundle_id"],
} as const;

export const EnrollmentRecord = z
	.strictObject({
		userId: Id.optional(),
		email: email.optional(),
		courseId: Id.optional(),
		learningPathId: Id.optional(),
		bundleId: Id.optional(),
		source: z.string().max(255).optional(),
	})
	.refine((e) => e.userId !== undefined || e.email !== undefined, {
		message: "userId or email is required",
		path: ["userId"],
	})
	.refine((e) => [e.courseId, e.learningPathId, e.bundleId].filter((t) => t !== undefined).length === 1, {
		message: "exactly one of courseId, learningPathId, bundleId is required",
		path: ["courseId"],
	})
	.openapi("EnrollmentRecord", { description: aliasNote(ENROLLMENT_ALIASES) });

export type UserRecord = z.infer<typeof UserRecord>;
export type CompanyRecord = z.infer<typeof CompanyRecord>;
export type EnrollmentRecord = z.infer<typeof EnrollmentRecord>;

/** Why one record failed while the others of its request or file went on. */
export const RecordErrorCode = z.enum(["VALIDATION_ERROR", "CONFLICT", "NOT_FOUND"]);
export type RecordErrorCode = z.infer<typeof RecordErrorCode>;

const flag = z.boolean();

/** How many users a full sync may deactivate: below 1 a fraction of the active users, from 1 a count. */
export const MaxDeactivate = z
	.number()
	.min(0)
	.refine((v) => v < 1 || Number.isInteger(v), "maxDeactivate is a fraction below 1 (0.1 = 10 %) or a whole count")
	.openapi({ description: "Below 1 a fraction of the tenant's active users (default 0.1), from 1 a count" });
export const DEFAULT_MAX_DEACTIVATE = 0.1;

/** The write options; `upsert` defaults to true except on the Thought Industries batch route (spec §11). */
function importOptions(upsertByDefault: boolean) {
	return z
		.strictObject({
			upsert: flag.default(upsertByDefault),
			skipExisting: flag.optional(),
			skipDuplicates: flag.optional().openapi({ description: "Alias of skipExisting." }),
			sendWelcomeEmail: flag.default(false),
			dryRun: flag.default(false),
			inviteMessage: z.string().max(10_000).optional(),
			requireExternalId: flag.default(false).openapi({
				description:
					"A user record without externalId fails (VALIDATION_ERROR) instead of being matched by email. Always true on the Userpilot routes.",
			}),
			replaceFields: flag.default(false).openapi({
				description: "Replace customFields and metadata whole instead of merging the sent keys into them.",
			}),
			sync: z.enum(["incremental", "full"]).optional().openapi({
				description:
					"full (users jobs only): once the whole file is written, the tenant's users it does not name become inactive, unless more than maxDeactivate would.",
			}),
			maxDeactivate: MaxDeactivate.optional(),
		})
		.refine((o) => o.maxDeactivate === undefined || o.sync === "full", {
			message: "maxDeactivate applies only with sync full",
			path: ["maxDeactivate"],
		})
		.transform(({ skipExisting, skipDuplicates, ...rest }) => ({
			...rest,
			skipExisting: skipExisting ?? skipDuplicates ?? false,
		}));
}

export const ImportOptions = importOptions(true).openapi("ImportOptions");
/** Thought Industries' `/incoming/v2/users/bulk` creates: an existing user is a CONFLICT unless asked otherwise. */
export const CreateOnlyImportOptions = importOptions(false).openapi("CreateOnlyImportOptions");

export type ImportOptions = z.output<typeof ImportOptions>;
