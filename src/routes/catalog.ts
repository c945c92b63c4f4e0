import { createRoute } from "@hono/zod-openapi";
import { jsonBody } from "../content-type";
import { router } from "../context";
import { records } from "../db/client";
import { listItems, upsertItem } from "../db/queries/catalog";
import type { CatalogKind } from "../db/schema";
import { CatalogBody, CatalogPage, ItemIdParam } from "../schemas/catalog";
import { decodeCursor, jsonContent, jsonRequest, PageQuery, toPage } from "../schemas/common";
import { jsonBodyErrors, openApiErrorResponses } from "../schemas/errors";
import { CatalogItem, catalogView } from "../schemas/views";
import { tenantKey } from "../services/access";

const tags = ["Catalog"];
const security = [{ apiKey: [] }];

/**
 * Courses, learning paths, bundles and licenses: one table, the same two routes each, documented
 * under each kind's own path. `name` is the kind in operation ids (`putCourse`, `listCourses`).
 */
function catalogRoutes(kind: CatalogKind, label: string, name: string) {
	const putItemRoute = createRoute({
		operationId: `put${name}`,
		method: "put",
		path: "/{id}",
		tags,
		summary: `Create or rename a ${label}`,
		security,
		middleware: [...tenantKey("admin"), jsonBody] as const,
		request: { params: ItemIdParam, body: jsonRequest(CatalogBody) },
		responses: { 200: jsonContent(CatalogItem, `The ${label}`), ...openApiErrorResponses, ...jsonBodyErrors },
	});
	const listItemsRoute = createRoute({
		operationId: `list${name}s`,
		method: "get",
		path: "/",
		tags,
		summary: `List ${label}s`,
		security,
		middleware: tenantKey("viewer"),
		request: { query: PageQuery },
		responses: { 200: jsonContent(CatalogPage, `A page of ${label}s`), ...openApiErrorResponses },
	});
	return router()
		.openapi(putItemRoute, async (c) => {
			const item = { tenantId: c.get("tenantId"), kind, id: c.req.valid("param").id, title: c.req.valid("json").title };
			return c.json(catalogView(await upsertItem(records(c.env, c.get("shard")), item, new Date().toISOString())), 200);
		})
		.openapi(listItemsRoute, async (c) => {
			const { cursor, limit } = c.req.valid("query");
			const after = decodeCursor<string>(cursor, "string");
			const rows = await listItems(records(c.env, c.get("shard")), c.get("tenantId"), kind, {
				after,
				limit: limit + 1,
			});
			return c.json(
				toPage(rows, limit, (i) => i.id, catalogView),
				200,
			);
		});
}

export const courseRoutes = catalogRoutes("course", "course", "Course");
export const learningPathRoutes = catalogRoutes("learningPath", "learning path", "LearningPath");
export const bundleRoutes = catalogRoutes("bundle", "bundle", "Bundle");
export const licenseRoutes = catalogRoutes("license", "license", "License");
