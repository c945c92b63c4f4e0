import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, gt } from "drizzle-orm";
import { requireKey } from "../auth/middleware";
import { router } from "../context";
import { db } from "../db/client";
import { enrollments, users } from "../db/schema";
import { ApiError } from "../errors";
import { authErrors, decodeCursor, jsonContent, notFound, PageQuery, page, toPage } from "../schemas/common";
import { Enrollment, User, userView } from "../schemas/views";

const tags = ["Users"];
const security = [{ apiKey: [] }];
const ExternalId = z.object({ externalId: z.string().min(1).max(255) });

async function findUser(env: Env, tenantId: string, externalId: string) {
	const [user] = await db(env)
		.select()
		.from(users)
		.where(and(eq(users.tenantId, tenantId), eq(users.externalId, externalId)));
	if (!user) throw new ApiError("NOT_FOUND", `User ${externalId} not found`);
	return user;
}

export const userRoutes = router()
	.openapi(
		createRoute({
			method: "get",
			path: "/",
			tags,
			summary: "List users, optionally by email (case-insensitive)",
			security,
			middleware: [requireKey("viewer")] as const,
			request: { query: PageQuery.extend({ email: z.string().optional() }) },
			responses: { 200: jsonContent(page(User), "A page of users"), ...authErrors },
		}),
		async (c) => {
			const { email, cursor, limit } = c.req.valid("query");
			const after = decodeCursor<number>(cursor, "number");
			const rows = await db(c.env)
				.select()
				.from(users)
				.where(
					and(
						eq(users.tenantId, c.get("tenantId")),
						email !== undefined ? eq(users.emailLower, email.toLowerCase()) : undefined,
						after !== undefined ? gt(users.id, after) : undefined,
					),
				)
				.orderBy(asc(users.id))
				.limit(limit + 1);
			return c.json(
				toPage(rows, limit, (u) => u.id, userView),
				200,
			);
		},
	)
	.openapi(
		createRoute({
			method: "get",
			path: "/{externalId}",
			tags,
			summary: "Get a user by external id",
			security,
			middleware: [requireKey("viewer")] as const,
			request: { params: ExternalId },
			responses: { 200: jsonContent(User, "The user"), ...authErrors, ...notFound },
		}),
		async (c) => {
			const user = await findUser(c.env, c.get("tenantId"), c.req.valid("param").externalId);
			return c.json(userView(user), 200);
		},
	)
	.openapi(
		createRoute({
			method: "get",
			path: "/{externalId}/enrollments",
			tags,
			summary: "A user's enrollments and license assignments",
			security,
			middleware: [requireKey("viewer")] as const,
			request: { params: ExternalId },
			responses: {
				200: jsonContent(z.object({ data: z.array(Enrollment) }), "Enrollments"),
				...authErrors,
				...notFound,
			},
		}),
		async (c) => {
			const tenantId = c.get("tenantId");
			const user = await findUser(c.env, tenantId, c.req.valid("param").externalId);
			const data = await db(c.env)
				.select({
					kind: enrollments.kind,
					itemId: enrollments.itemId,
					source: enrollments.source,
					createdAt: enrollments.createdAt,
				})
				.from(enrollments)
				.where(and(eq(enrollments.tenantId, tenantId), eq(enrollments.userId, user.id)))
				.orderBy(asc(enrollments.createdAt), asc(enrollments.itemId));
			return c.json({ data }, 200);
		},
	);
