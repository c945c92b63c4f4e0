import { createRoute } from "@hono/zod-openapi";
import { accepted, router } from "../context";
import { idempotency } from "../idempotency";
import { jsonContent } from "../schemas/common";
import { errorResponses, openApiErrorResponses } from "../schemas/errors";
import { ImportQuery } from "../schemas/imports";
import { Job } from "../schemas/jobs";
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
		"Body: raw application/x-ndjson (or application/jsonl), raw text/csv, or multipart/form-data with the file in field `file`. `Content-Encoding: gzip` is accepted.",
	security: [{ apiKey: [] }],
	middleware: [...tenantKey("admin"), idempotency("streamed")] as const,
	request: { query: ImportQuery },
	responses: {
		202: jsonContent(Job, "The job; poll its Location"),
		...openApiErrorResponses,
		...errorResponses(409, 413),
	},
});

export const importRoutes = router().openapi(importFileRoute, async (c) => {
	const { type, ifBusy, inviteMessage, ...flags } = c.req.valid("query");
	const options = ImportOptions.parse({
		...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)),
		inviteMessage,
	});
	return accepted(c, await importFile(c.env, c.get("tenantId"), c.req.raw, { recordType: type, options, ifBusy }));
});
