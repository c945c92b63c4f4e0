import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requireKey } from "../auth/middleware";
import { mediaType } from "../content-type";
import { type AppEnv, router } from "../context";
import { ApiError } from "../errors";
import { idempotency } from "../idempotency";
import { createJob } from "../jobs/create";
import { authErrors, conflict, type FileFormat, IfBusy, jsonContent, RecordType, tooLarge } from "../schemas/common";
import { Job } from "../schemas/jobs";
import { ImportOptions } from "../schemas/records";

const NDJSON_TYPES = ["application/x-ndjson", "application/jsonl", "application/ndjson"];
const bool = z.enum(["true", "false"]).transform((v) => v === "true");

export const ImportQuery = z.object({
	type: RecordType,
	ifBusy: IfBusy.default("queue"),
	upsert: bool.optional(),
	skipExisting: bool.optional(),
	skipDuplicates: bool.optional(),
	sendWelcomeEmail: bool.optional(),
	dryRun: bool.optional(),
	inviteMessage: z.string().max(10_000).optional(),
});

/** The file of a request: a raw NDJSON or CSV body, or the `file` field of a multipart form. */
export async function requestFile(req: Request): Promise<{ body: ReadableStream<Uint8Array>; format: FileFormat }> {
	const type = mediaType(req.headers.get("Content-Type") ?? undefined);
	if (type === "text/csv" && req.body) return { body: req.body, format: "csv" };
	if (NDJSON_TYPES.includes(type) && req.body) return { body: req.body, format: "ndjson" };
	if (type === "multipart/form-data") {
		// The runtime parses forms whole; raw bodies are the streaming path for very large files.
		const file = (await req.formData()).get("file");
		if (!(file instanceof File))
			throw new ApiError("VALIDATION_ERROR", 'The multipart body has no file in field "file"', [
				{ path: "file", message: "required" },
			]);
		const csv = file.type === "text/csv" || file.name.toLowerCase().endsWith(".csv");
		return { body: file.stream(), format: csv ? "csv" : "ndjson" };
	}
	throw new ApiError(
		"UNSUPPORTED_MEDIA_TYPE",
		`Content-Type ${type || "(none)"} is not accepted; send application/x-ndjson, text/csv or multipart/form-data with a file field`,
	);
}

/** The request's file as a job of `recordType`: the one path from an upload to a job. */
export async function fileJob(c: Context<AppEnv>, recordType: RecordType, options: ImportOptions, ifBusy: IfBusy) {
	const file = await requestFile(c.req.raw);
	const job = await createJob(c.env, {
		tenantId: c.get("tenantId"),
		recordType,
		format: file.format,
		origin: "file",
		options,
		body: file.body,
		encoding: c.req.header("Content-Encoding"),
		ifBusy,
	});
	return c.json(job, 202, { Location: job.links.self });
}

export const importRoutes = router().openapi(
	createRoute({
		method: "post",
		path: "/",
		tags: ["Imports"],
		summary: "Import an NDJSON or CSV file (streamed; gzip accepted) as a job",
		description:
			"Body: raw application/x-ndjson (or application/jsonl), raw text/csv, or multipart/form-data with the file in field `file`. `Content-Encoding: gzip` is accepted.",
		security: [{ apiKey: [] }],
		middleware: [requireKey("admin"), idempotency("streamed")] as const,
		request: { query: ImportQuery },
		responses: { 202: jsonContent(Job, "The job; poll its Location"), ...authErrors, ...conflict, ...tooLarge },
	}),
	async (c) => {
		const { type, ifBusy, ...flags } = c.req.valid("query");
		const { inviteMessage, ...rest } = flags;
		const options = ImportOptions.parse({
			...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
			inviteMessage,
		});
		return fileJob(c, type, options, ifBusy);
	},
);
