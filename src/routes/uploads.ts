import { createRoute } from "@hono/zod-openapi";
import { jsonBody } from "../content-type";
import { accepted, router } from "../context";
import { ApiError } from "../errors";
import { idempotency } from "../idempotency";
import { IdParam, jsonContent, jsonRequest } from "../schemas/common";
import { errorResponses, jsonBodyErrors, openApiErrorResponses } from "../schemas/errors";
import { Job } from "../schemas/jobs";
import { HEADERS, idempotent } from "../schemas/openapi";
import { ImportOptions } from "../schemas/records";
import { NewUpload, PartBytes, PartParams, Upload, UploadedPart } from "../schemas/uploads";
import { tenantKey } from "../services/access";
import { completeUpload, createUpload, getUpload, putPart } from "../services/uploads";

const tags = ["Uploads"];
const security = [{ apiKey: [] }];

const createUploadRoute = createRoute({
	operationId: "createUpload",
	method: "post",
	path: "/",
	tags,
	summary: "Start a staged upload of a file too large for one request",
	description:
		"Send the file in parts of exactly `partSize` bytes (the last may be shorter), then complete it. Open uploads expire after 24 h.",
	security,
	middleware: [...tenantKey("admin"), jsonBody, idempotency("buffered")] as const,
	...idempotent,
	request: { body: jsonRequest(NewUpload) },
	responses: {
		201: {
			...jsonContent(Upload, "The upload, with its partSize and expiresAt"),
			headers: { Location: HEADERS.Location },
		},
		...openApiErrorResponses,
		...jsonBodyErrors,
		...errorResponses(409),
	},
});

const getUploadRoute = createRoute({
	operationId: "getUpload",
	method: "get",
	path: "/{id}",
	tags,
	summary: "An upload and the parts received so far",
	security,
	middleware: tenantKey("viewer"),
	request: { params: IdParam },
	responses: { 200: jsonContent(Upload, "The upload"), ...openApiErrorResponses, ...errorResponses(404) },
});

const putUploadPartRoute = createRoute({
	operationId: "putUploadPart",
	method: "put",
	path: "/{id}/parts/{n}",
	tags,
	summary: "Send part n (1-based); sending a part again replaces it",
	description: "The raw bytes of the part, with Content-Length. Parts may arrive in any order.",
	security,
	middleware: tenantKey("admin"),
	request: {
		params: PartParams,
		body: {
			required: true,
			content: { "application/octet-stream": { schema: PartBytes } },
		},
	},
	responses: {
		200: jsonContent(UploadedPart, "The part as stored"),
		...openApiErrorResponses,
		...errorResponses(404, 409, 413),
	},
});

const completeUploadRoute = createRoute({
	operationId: "completeUpload",
	method: "post",
	path: "/{id}/complete",
	tags,
	summary: "Assemble the parts and import the file as a job; completing again returns the same job",
	security,
	middleware: [...tenantKey("admin"), idempotency("buffered")] as const,
	...idempotent,
	request: { params: IdParam },
	responses: {
		202: jsonContent(Job, "The job; poll its Location"),
		...openApiErrorResponses,
		...errorResponses(404, 409, 413),
	},
});

export const uploadRoutes = router()
	.openapi(createUploadRoute, async (c) => {
		const { type, format, options, mapping } = c.req.valid("json");
		const upload = await createUpload(c.env, c.get("tenantId"), {
			type,
			format,
			options: options ?? ImportOptions.parse({}),
			mapping,
		});
		return c.json(upload, 201, { Location: `/v1/uploads/${upload.id}` });
	})
	.openapi(getUploadRoute, async (c) => c.json(await getUpload(c.env, c.get("tenantId"), c.req.valid("param").id), 200))
	.openapi(putUploadPartRoute, async (c) => {
		const { id, n } = c.req.valid("param");
		const length = c.req.header("Content-Length");
		if (length === undefined || !/^\d+$/.test(length)) {
			throw new ApiError("VALIDATION_ERROR", "A part needs a Content-Length header: R2 stores parts of known length");
		}
		const body = c.req.raw.body ?? new Blob([]).stream();
		return c.json(await putPart(c.env, c.get("tenantId"), id, n, body, Number(length)), 200);
	})
	.openapi(completeUploadRoute, async (c) =>
		accepted(c, await completeUpload(c.env, c.get("tenantId"), c.req.valid("param").id)),
	);
