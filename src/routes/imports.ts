import { createRoute } from "@hono/zod-openapi";
import { accepted, router } from "../context";
import { validationError } from "../errors";
import { idempotency } from "../idempotency";
import { jsonContent } from "../schemas/common";
import { errorResponses, openApiErrorResponses } from "../schemas/errors";
import { ImportQuery } from "../schemas/imports";
import { Job } from "../schemas/jobs";
import { contentEncoding, fileBody, idempotent } from "../schemas/openapi";
import { ImportOptions } from "../schemas/records";
import { tenantKey } from "../services/access";
import { importFile } from "../services/imports";

const importFileRoute = createRoute({
	operationId: "importFile",
	method: "post",
	path: "/",
	tags: ["Imports"],
	summary: "Import an NDJSON or CSV file (streamed; gzip accepted) as a job",
	description:
		"The body streams into chunks as it arrives (never held whole). NDJSON: one record object per line (blank lines ignored). CSV: RFC 4180 with a header row; header cells name fields or their aliases, `custom.<name>` and `metadata.<name>` columns go into customFields and metadata. A bad record fails alone with its line number.",
	security: [{ apiKey: [] }],
	middleware: [...tenantKey("admin"), idempotency("streamed")] as const,
	parameters: [...idempotent.parameters, contentEncoding],
	request: { query: ImportQuery, body: fileBody("The file: NDJSON, CSV, or a multipart form with it in field `file`") },
	responses: {
		202: jsonContent(Job, "The job; poll its Location"),
		...openApiErrorResponses,
		...errorResponses(409, 413, 415),
	},
});

export const importRoutes = router().openapi(importFileRoute, async (c) => {
	const { type, ifBusy, inviteMessage, mapping, ...flags } = c.req.valid("query");
	const parsed = ImportOptions.safeParse({
		...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)),
		inviteMessage,
	});
	if (!parsed.success) throw validationError(parsed.error, "query");
	const options = parsed.data;
	return accepted(
		c,
		await importFile(c.env, c.get("tenantId"), c.req.raw, { recordType: type, options, ifBusy, mapping }),
	);
});
