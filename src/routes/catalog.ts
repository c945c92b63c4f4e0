import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, gt } from "drizzle-orm";
import { requireKey } from "../auth/middleware";
import { jsonBody } from "../content-type";
import { router } from "../context";
import { db } from "../db/client";
import { type CatalogKind, catalogItems } from "../db/schema";
import { authErrors, decodeCursor, jsonContent, jsonRequest, PageQuery, page, toPage } from "../schemas/common";
import { CatalogItem, catalogView } from "../schemas/views";

const CatalogBody = z.strictObject({ title: z.string().trim().min(1).max(500) });
const ItemId = z.object({ id: z.string().min(1).max(255) });

/** Courses, learning paths, bundles and licenses share one table and one pair of routes each. */
function catalogRoutes(kind: CatalogKind, label: string) {
	const tags = ["Catalog"];
	const security = [{ apiKey: [] }];
	return router()
		.openapi(
			createRoute({
				method: "put",
				path: "/{id}",
				tags,
				summary: `Create or rename a ${label}`,
				security,
				middleware: [requireKey("admin"), jsonBody] as const,
				request: { params: ItemId, body: jsonRequest(CatalogBody) },
				responses: { 200: jsonContent(CatalogItem, `The ${label}`), ...authErrors },
			}),
			async (c) => {
				const { id } = c.req.valid("param");
				const { title } = c.req.valid("json");
				const now = new Date().toISOString();
				const [item] = await db(c.env)
					.insert(catalogItems)
					.values({ tenantId: c.get("tenantId"), kind, id, title, createdAt: now, updatedAt: now })
					.onConflictDoUpdate({
						target: [catalogItems.tenantId, catalogItems.kind, catalogItems.id],
						set: { title, updatedAt: now },
					})
					.returning();
				return c.json(catalogView(item!), 200);
			},
		)
		.openapi(
			createRoute({
				method: "get",
				path: "/",
				tags,
				summary: `List ${label}s`,
				security,
				middleware: [requireKey("viewer")] as const,
				request: { query: PageQuery },
				responses: { 200: jsonContent(page(CatalogItem), `A page of ${label}s`), ...authErrors },
			}),
			async (c) => {
				const { cursor, limit } = c.req.valid("query");
				const after = decodeCursor<string>(cursor, "string");
				const rows = await db(c.env)
					.select()
					.from(catalogItems)
					.where(
						and(
							eq(catalogItems.tenantId, c.get("tenantId")),
							eq(catalogItems.kind, kind),
							after !== undefined ? gt(catalogItems.id, after) : undefined,
						),
					)
					.orderBy(asc(catalogItems.id))
					.limit(limit + 1);
				return c.json(
					toPage(rows, limit, (i) => i.id, catalogView),
					200,
				);
			},
		);
}

export const CATALOG_PATHS = [
	["/v1/courses", catalogRoutes("course", "course")],
	["/v1/learning-paths", catalogRoutes("learningPath", "learning path")],
	["/v1/bundles", catalogRoutes("bundle", "bundle")],
	["/v1/licenses", catalogRoutes("license", "license")],
] as const;
