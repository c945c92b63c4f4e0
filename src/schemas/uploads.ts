import { z } from "@hono/zod-openapi";
import { FileFormat, RecordType } from "./common";

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
