import { z } from "@hono/zod-openapi";
import { list, RecordType } from "./common";

/** Spec §13: a CSV has at most 1,000 columns, so a mapping needs no more. */
const MAX_COLUMNS = 1000;

/** A profile's name: plain enough to sit in a query string, and never mistaken for a JSON mapping. */
const MappingName = z
	.string()
	.regex(
		/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
		"Use 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit",
	)
	.openapi({ example: "workday-export" });

export const MappingColumns = z
	.record(z.string().min(1).max(255), z.string().min(1).max(255))
	.refine((columns) => Object.keys(columns).length <= MAX_COLUMNS, `At most ${MAX_COLUMNS} columns`)
	.openapi("MappingColumns", {
		description:
			"Header cell -> field: a canonical field name, an alias, `custom.<key>` or `metadata.<key>`. Headers are matched exactly, else ignoring case, spaces and punctuation; headers the file lacks are ignored.",
		example: { "E-mail": "email", "Employee ID": "externalId", Dept: "custom.department" },
	});
export type MappingColumns = z.infer<typeof MappingColumns>;

/** How an import names its mapping in a JSON body: a saved profile's name, or the columns themselves. */
export const MappingRef = z.union([MappingName, MappingColumns]).openapi({
	description: "CSV only: a saved mapping profile's name, or `{header: field}`.",
});
export type MappingRef = z.infer<typeof MappingRef>;

export const MappingNameParam = z.object({ name: MappingName });

export const MappingBody = z.strictObject({ type: RecordType, columns: MappingColumns }).openapi("MappingBody");

export const MappingProfile = z
	.object({
		name: z.string(),
		type: RecordType,
		columns: MappingColumns,
		createdAt: z.string(),
		updatedAt: z.string(),
	})
	.openapi("MappingProfile");
export type MappingProfile = z.infer<typeof MappingProfile>;

export const MappingList = list(MappingProfile).openapi("MappingList");

/** `mapping` in a query string or a form field: a profile's name, or `{header: field}` as JSON. */
export const MappingText = z
	.string()
	.max(64 * 1024)
	.transform((text, ctx): MappingRef => {
		if (!text.trimStart().startsWith("{")) {
			const name = MappingName.safeParse(text);
			if (name.success) return name.data;
			ctx.addIssue({ code: "custom", message: "Give a mapping profile's name or a JSON object {header: field}" });
			return z.NEVER;
		}
		let json: unknown;
		try {
			json = JSON.parse(text);
		} catch {
			ctx.addIssue({ code: "custom", message: "The mapping is not valid JSON" });
			return z.NEVER;
		}
		const columns = MappingColumns.safeParse(json);
		if (columns.success) return columns.data;
		ctx.addIssue({ code: "custom", message: "The mapping must be a JSON object of header -> field strings" });
		return z.NEVER;
	})
	.openapi({
		description:
			"CSV only: a saved mapping profile's name, or `{header: field}` as JSON (a field is a canonical name, an alias, `custom.<key>` or `metadata.<key>`).",
		example: '{"E-mail":"email","Employee ID":"externalId"}',
	});
