import { createRoute } from "@hono/zod-openapi";
import { jsonBody } from "../content-type";
import { router } from "../context";
import { jsonContent, jsonRequest } from "../schemas/common";
import { errorResponses, jsonBodyErrors, openApiErrorResponses } from "../schemas/errors";
import { MappingBody, MappingList, MappingNameParam, MappingProfile } from "../schemas/mappings";
import { tenantKey } from "../services/access";
import { allMappings, getMapping, removeMapping, saveMapping } from "../services/mappings";

const tags = ["Mappings"];
const security = [{ apiKey: [] }];

const putMappingRoute = createRoute({
	operationId: "putMapping",
	method: "put",
	path: "/{name}",
	tags,
	summary: "Save a CSV column mapping under a name (replacing one of that name)",
	description:
		"Imports of the same record type use it with `mapping=<name>`. Every target must be a field of the type, an alias, `custom.<key>` or `metadata.<key>`; an unknown one is a 400 naming it and the closest field.",
	security,
	middleware: [...tenantKey("admin"), jsonBody] as const,
	request: { params: MappingNameParam, body: jsonRequest(MappingBody) },
	responses: { 200: jsonContent(MappingProfile, "The saved mapping"), ...openApiErrorResponses, ...jsonBodyErrors },
});

const getMappingRoute = createRoute({
	operationId: "getMapping",
	method: "get",
	path: "/{name}",
	tags,
	summary: "A saved column mapping",
	security,
	middleware: tenantKey("viewer"),
	request: { params: MappingNameParam },
	responses: { 200: jsonContent(MappingProfile, "The mapping"), ...openApiErrorResponses, ...errorResponses(404) },
});

const listMappingsRoute = createRoute({
	operationId: "listMappings",
	method: "get",
	path: "/",
	tags,
	summary: "The tenant's saved column mappings, by name",
	security,
	middleware: tenantKey("viewer"),
	responses: { 200: jsonContent(MappingList, "Every mapping"), ...openApiErrorResponses },
});

const deleteMappingRoute = createRoute({
	operationId: "deleteMapping",
	method: "delete",
	path: "/{name}",
	tags,
	summary: "Delete a saved column mapping",
	description: "Jobs and uploads that already use it keep their columns.",
	security,
	middleware: tenantKey("admin"),
	request: { params: MappingNameParam },
	responses: { 204: { description: "Deleted" }, ...openApiErrorResponses, ...errorResponses(404) },
});

export const mappingRoutes = router()
	.openapi(putMappingRoute, async (c) =>
		c.json(await saveMapping(c.env, c.get("tenantId"), c.req.valid("param").name, c.req.valid("json")), 200),
	)
	.openapi(getMappingRoute, async (c) =>
		c.json(await getMapping(c.env, c.get("tenantId"), c.req.valid("param").name), 200),
	)
	.openapi(listMappingsRoute, async (c) => c.json({ data: await allMappings(c.env, c.get("tenantId")) }, 200))
	.openapi(deleteMappingRoute, async (c) => {
		await removeMapping(c.env, c.get("tenantId"), c.req.valid("param").name);
		return c.body(null, 204);
	});
