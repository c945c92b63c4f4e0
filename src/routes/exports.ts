import { createRoute, z } from "@hono/zod-openapi";
import { jsonBody } from "../content-type";
import { accepted, caller, router } from "../context";
import { idempotency } from "../idempotency";
import { IdParam, jsonContent, jsonRequest } from "../schemas/common";
import { errorResponses, jsonBodyErrors, openApiErrorResponses } from "../schemas/errors";
import { ExportRequest } from "../schemas/exports";
import { Job, SignedLinkQuery } from "../schemas/jobs";
import { idempotent } from "../schemas/openapi";
import { CompanyRecord, EnrollmentRecord, UserRecord } from "../schemas/records";
import { keyOrSignedLink, tenantKey } from "../services/access";
import { createExport, exportFile } from "../services/exports";

const tags = ["Exports"];
const security = [{ apiKey: [] }];

const createExportRoute = createRoute({
	operationId: "createExport",
	method: "post",
	path: "/",
	tags,
	summary: "Export records into a file that imports back unchanged, as a job",
	description:
		"The job (type `<records>.export`) writes the records page by page into R2; once it has completed, `links.file` (with a key) and `links.fileDownload` (signed, no key, for an hour) serve the file. CSV exports use the import's column names, `custom.<key>` and `metadata.<key>` included; NDJSON exports one import record per line.",
	security,
	middleware: [...tenantKey("admin"), jsonBody, idempotency("buffered")] as const,
	...idempotent,
	request: { body: jsonRequest(ExportRequest) },
	responses: {
		202: jsonContent(Job, "The export job; poll its Location"),
		...openApiErrorResponses,
		...jsonBodyErrors,
	},
});

const getExportFileRoute = createRoute({
	operationId: "getExportFile",
	method: "get",
	path: "/{id}/file",
	tags,
	summary: "The file of a completed export: NDJSON or CSV, as it was asked for",
	security,
	middleware: keyOrSignedLink("file"),
	request: { params: IdParam, query: SignedLinkQuery },
	responses: {
		200: {
			description: "The exported records, streamed",
			content: {
				"application/x-ndjson": {
					schema: z
						.union([UserRecord, CompanyRecord, EnrollmentRecord])
						.openapi({ description: "One import record per line" }),
				},
				"text/csv": {
					schema: z.string().openapi({ description: "A header row of import columns, then one row per record" }),
				},
			},
		},
		...openApiErrorResponses,
		...errorResponses(404, 409),
	},
});

const FILE_TYPES = { csv: "text/csv; charset=utf-8", ndjson: "application/x-ndjson" } as const;

export const exportRoutes = router()
	.openapi(createExportRoute, async (c) => accepted(c, await createExport(c.env, caller(c), c.req.valid("json"))))
	.openapi(getExportFileRoute, async (c) => {
		const id = c.req.valid("param").id;
		const file = await exportFile(c.env, c.get("tenantId"), id);
		// Through the context, so the answer keeps the headers middleware set (X-Request-Id, rate limits).
		return c.body(file.body, 200, {
			"Content-Type": FILE_TYPES[file.format],
			"Content-Disposition": `attachment; filename="${file.type}-${id}.${file.format}"`,
		});
	});
