import { createRoute, z } from "@hono/zod-openapi";
import { requireKey } from "../auth/middleware";
import { jsonBody } from "../content-type";
import { router } from "../context";
import { ApiError } from "../errors";
import { idempotency } from "../idempotency";
import { completeUpload, createUpload, getUpload, MAX_PARTS, putPart } from "../jobs/uploads";
import {
	authErrors,
	conflict,
	FileFormat,
	jsonContent,
	jsonRequest,
	notFound,
	RecordType,
	tooLarge,
} from "../schemas/common";
import { Job } from "../schemas/jobs";
import { ImportOptions } from "../schemas/records";
import { Upload, UploadedPart } from "../schemas/uploads";

const tags = ["Uploads"];
const security = [{ apiKey: [] }];
const admin = requireKey("admin");
const UploadId = z.object({ id: z.string() });

const NewUpload = z
	.strictObject({
		type: RecordType,
		format: FileFormat,
		options: ImportOptions.optional(),
	})
	.openapi("NewUpload");

export const uploadRoutes = router()
	.openapi(
		createRoute({
			method: "post",
			path: "/",
			tags,
			summary: "Start a staged upload of a file too large for one request",
			description:
				"Send the file in parts of exactly `partSize` bytes (the last may be shorter), then complete it. Open uploads expire after 24 h.",
			security,
			middleware: [admin, jsonBody, idempotency("buffered")] as const,
			request: { body: jsonRequest(NewUpload) },
			responses: {
				201: jsonContent(Upload, "The upload, with its partSize and expiresAt"),
				...authErrors,
				...conflict,
			},
		}),
		async (c) => {
			const { type, format, options } = c.req.valid("json");
			const upload = await createUpload(c.env, c.get("tenantId"), {
				type,
				format,
				options: options ?? ImportOptions.parse({}),
			});
			return c.json(upload, 201, { Location: `/v1/uploads/${upload.id}` });
		},
	)
	.openapi(
		createRoute({
			method: "get",
			path: "/{id}",
			tags,
			summary: "An upload and the parts received so far",
			security,
			middleware: [requireKey("viewer")] as const,
			request: { params: UploadId },
			responses: { 200: jsonContent(Upload, "The upload"), ...authErrors, ...notFound },
		}),
		async (c) => c.json(await getUpload(c.env, c.get("tenantId"), c.req.valid("param").id), 200),
	)
	.openapi(
		createRoute({
			method: "put",
			path: "/{id}/parts/{n}",
			tags,
			summary: "Send part n (1-based); sending a part again replaces it",
			description: "The raw bytes of the part, with Content-Length. Parts may arrive in any order.",
			security,
			middleware: [admin] as const,
			request: {
				params: UploadId.extend({
					n: z.coerce.number().int().min(1).max(MAX_PARTS).openapi({ description: "Part number, 1-based" }),
				}),
				body: {
					required: true,
					content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
				},
			},
			responses: {
				200: jsonContent(UploadedPart, "The part as stored"),
				...authErrors,
				...notFound,
				...conflict,
				...tooLarge,
			},
		}),
		async (c) => {
			const { id, n } = c.req.valid("param");
			const length = c.req.header("Content-Length");
			if (length === undefined || !/^\d+$/.test(length)) {
				throw new ApiError("VALIDATION_ERROR", "A part needs a Content-Length header: R2 stores parts of known length");
			}
			const body = c.req.raw.body ?? new Blob([]).stream();
			return c.json(await putPart(c.env, c.get("tenantId"), id, n, body, Number(length)), 200);
		},
	)
	.openapi(
		createRoute({
			method: "post",
			path: "/{id}/complete",
			tags,
			summary: "Assemble the parts and import the file as a job; completing again returns the same job",
			security,
			middleware: [admin, idempotency("buffered")] as const,
			request: { params: UploadId },
			responses: {
				202: jsonContent(Job, "The job; poll its Location"),
				...authErrors,
				...notFound,
				...conflict,
				...tooLarge,
			},
		}),
		async (c) => {
			const job = await completeUpload(c.env, c.get("tenantId"), c.req.valid("param").id);
			return c.json(job, 202, { Location: job.links.self });
		},
	);
