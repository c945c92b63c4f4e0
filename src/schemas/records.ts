import { z } from "@hono/zod-openapi";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CUSTOM_FIELDS_MAX_BYTES = 16 * 1024;

const id = z.string().min(1).max(255);
const email = z.string().max(254, "Email is longer than 254 characters").regex(EMAIL, "Invalid email format");
const name = z.string().max(255);
const primitive = z.union([z.string(), z.number(), z.boolean(), z.null()], {
	error: "metadata values must be string, number, boolean or null",
});
const metadata = z.record(z.string(), primitive, { error: "metadata must be an object of primitives" });
const customFields = z
	.record(z.string(), z.unknown(), { error: "customFields must be a JSON object" })
	.refine((v) => JSON.stringify(v).length <= CUSTOM_FIELDS_MAX_BYTES, "customFields is larger than 16 KB");

/**
 * Accepts the seeds' spellings of a field (`user_id`, `first_name`, …) and renames them to the
 * canonical one before the strict schema runs; giving two spellings of one field is an error.
 */
function withAliases<T extends z.ZodType<unknown, Record<string, unknown>>>(
	schema: T,
	aliases: Record<string, string[]>,
) {
	return z
		.unknown()
		.transform((input, ctx) => {
			if (typeof input !== "object" || input === null || Array.isArray(input)) {
				ctx.addIssue({ code: "custom", message: "record must be a JSON object" });
				return z.NEVER;
			}
			const out: Record<string, unknown> = { ...input };
			for (const [canonical, names] of Object.entries(aliases)) {
				const given = [canonical, ...names].filter((n) => n in out);
				if (given.length > 1) {
					ctx.addIssue({ code: "custom", path: [given[1]!], message: `give only one of ${given.join(", ")}` });
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

export const UserRecord = z
	.strictObject({
		externalId: id.optional(),
		email: email.optional(),
		firstName: name.optional(),
		lastName: name.optional(),
		companyId: id.optional(),
		role: z.string().max(64).optional(),
		clientId: z.string().max(255).optional(),
		customFields: customFields.optional(),
		metadata: metadata.optional(),
	})
	.refine((u) => u.externalId !== undefined || u.email !== undefined, {
		message: "externalId or email is required",
		path: ["externalId"],
	})
	.openapi("UserRecord", {
		description: "Aliases accepted: userId/user_id, first_name, last_name, company_id, client_id.",
	});

export const CompanyRecord = z
	.strictObject({ companyId: id, name: name.optional(), metadata: metadata.optional() })
	.openapi("CompanyRecord", { description: "Alias accepted: company_id." });

export const EnrollmentRecord = z
	.strictObject({
		userId: id.optional(),
		email: email.optional(),
		courseId: id.optional(),
		learningPathId: id.optional(),
		bundleId: id.optional(),
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
	.openapi("EnrollmentRecord", {
		description: "Aliases accepted: user_id/externalId, course_id, learning_path_id, bundle_id.",
	});

export const RECORD_SCHEMAS = {
	users: withAliases(UserRecord, {
		externalId: ["userId", "user_id"],
		firstName: ["first_name"],
		lastName: ["last_name"],
		companyId: ["company_id"],
		clientId: ["client_id"],
	}),
	companies: withAliases(CompanyRecord, { companyId: ["company_id"] }),
	enrollments: withAliases(EnrollmentRecord, {
		userId: ["user_id", "externalId"],
		courseId: ["course_id"],
		learningPathId: ["learning_path_id"],
		bundleId: ["bundle_id"],
	}),
} as const;

export type RecordType = keyof typeof RECORD_SCHEMAS;
export type UserRecord = z.infer<typeof UserRecord>;
export type CompanyRecord = z.infer<typeof CompanyRecord>;
export type EnrollmentRecord = z.infer<typeof EnrollmentRecord>;

const flag = z.boolean();

export const ImportOptions = z
	.strictObject({
		upsert: flag.default(true),
		skipExisting: flag.optional(),
		skipDuplicates: flag.optional().openapi({ description: "Alias of skipExisting." }),
		sendWelcomeEmail: flag.default(false),
		dryRun: flag.default(false),
		inviteMessage: z.string().max(10_000).optional(),
	})
	.transform(({ skipExisting, skipDuplicates, ...rest }) => ({
		...rest,
		skipExisting: skipExisting ?? skipDuplicates ?? false,
	}))
	.openapi("ImportOptions");

export type ImportOptions = z.output<typeof ImportOptions>;
