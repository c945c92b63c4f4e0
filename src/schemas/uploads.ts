import { z } from "@hono/zod-openapi";
import { FileFormat, IdParam, RecordType } from "./common";
import { MappingRef } from "./mappings";
import { ImportOptions } from "./records";

/**
 * Every part but the last has exactly this size. R2's minimum: 5 GiB is then 1,024 parts (R2
 * allows 10,000), and a failed part costs the client only 5 MiB to send again.
 */
export const PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

export const NewUpload = z
	.strictObject({
		type: RecordType,
		format: FileFormat,
		options: ImportOptions.optional(),
		mapping: MappingRef.optional(),
	})
	.openapi("NewUpload");

/** One spelling per part: plain decimal digits, no sign, exponent, hex, space, fraction or leading zero. */
const PART_NUMBER = /^[1-9][0-9]{0,4}$/;
const PART_RULE = `Part numbers are written as plain decimal digits without a leading zero, from 1 to ${MAX_PARTS}`;

export const PartParams = IdParam.extend({
	n: z
		.string()
		.regex(PART_NUMBER, PART_RULE)
		.refine((n) => Number(n) <= MAX_PARTS, PART_RULE)
		.transform(Number)
		.openapi({ description: "Part number, 1-based", pattern: PART_NUMBER.source, example: "1" }),
});

export const UploadedPart = z
	.object({ partNumber: z.number().int(), size: z.number().int(), etag: z.string() })
	.openapi("UploadedPart");
export type UploadedPart = z.infer<typeof UploadedPart>;

export const Upload = z
	.object({
		id: z.string(),
		type: RecordType,
		format: FileFormat,
		status: z.enum(["open", "completing", "completed", "expired", "aborted"]).openapi({
			description: "`expired`: past expiresAt, no longer accepts parts; the daily sweep then aborts it.",
		}),
		partSize: z.number().int().openapi({ description: "The size of every part but the last, in bytes" }),
		createdAt: z.string(),
		expiresAt: z.string(),
		jobId: z.string().nullable(),
		parts: z.array(UploadedPart),
	})
	.openapi("Upload");
export type Upload = z.infer<typeof Upload>;

/** A part's raw bytes, as documented; the route streams them to R2 unparsed. */
export const PartBytes = z.string().openapi({ format: "binary" });
