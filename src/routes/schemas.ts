import { createRoute, z } from "@hono/zod-openapi";
import { router } from "../context";
import { jsonContent, RecordType } from "../schemas/common";
import { openApiErrorResponses } from "../schemas/errors";
import { tenantKey } from "../services/access";
import { csvTemplate, recordJsonSchema } from "../services/templates";

const tags = ["Schemas"];
const security = [{ apiKey: [] }];

const JsonSchema = z.record(z.string(), z.unknown()).openapi("RecordJsonSchema", {
	description: "JSON Schema 2020-12 of one record, with the accepted aliases under `x-aliases`",
});

const getSchemaRoute = createRoute({
	operationId: "getRecordSchema",
	method: "get",
	path: "/{type}",
	tags,
	summary: "The JSON Schema of a record type, generated from the schema imports validate with",
	security,
	middleware: tenantKey("viewer"),
	request: { params: z.object({ type: RecordType }) },
	responses: { 200: jsonContent(JsonSchema, "The record's JSON Schema"), ...openApiErrorResponses },
});

const TEMPLATE_FILES = RecordType.options.map((type) => `${type}.csv` as const);
const TemplateFile = z.enum(TEMPLATE_FILES).openapi({ example: "users.csv" });

const getTemplateRoute = createRoute({
	operationId: "getCsvTemplate",
	method: "get",
	path: "/{file}",
	tags,
	summary: "A CSV template of a record type: the header row of its import columns and one example row",
	description: "The file imports as it is (an enrollment's example needs the user and course it names).",
	security,
	middleware: tenantKey("viewer"),
	request: { params: z.object({ file: TemplateFile }) },
	responses: {
		200: { description: "The template", content: { "text/csv": { schema: z.string() } } },
		...openApiErrorResponses,
	},
});

export const schemaRoutes = router().openapi(getSchemaRoute, (c) =>
	c.json(recordJsonSchema(c.req.valid("param").type), 200),
);

export const templateRoutes = router().openapi(getTemplateRoute, (c) => {
	const { file } = c.req.valid("param");
	const type = RecordType.parse(file.slice(0, -".csv".length));
	return c.body(csvTemplate(type), 200, {
		"Content-Type": "text/csv; charset=utf-8",
		"Content-Disposition": `attachment; filename="${file}"`,
	});
});
