import { createRoute } from "@hono/zod-openapi";
import { documentStreamed, jsonBody, jsonType, streamedJson } from "../content-type";
import { accepted, answered, caller, router } from "../context";
import { type Db, records } from "../db/client";
import { findUser, listUsers, userEnrollments } from "../db/queries/users";
import { ApiError } from "../errors";
import { idempotency } from "../idempotency";
import { BulkQuery, BulkResult, BulkUsersBody } from "../schemas/bulk";
import { decodeCursor, jsonContent, jsonRequest, toPage } from "../schemas/common";
import { errorResponses, jsonBodyErrors, openApiErrorResponses } from "../schemas/errors";
import { BulkImportBody } from "../schemas/imports";
import { Job } from "../schemas/jobs";
import { idempotent } from "../schemas/openapi";
import { EnrollmentList, ExternalIdParam, UserPage, UserQuery } from "../schemas/users";
import { User, userView } from "../schemas/views";
import { tenantKey } from "../services/access";
import { submitBatch } from "../services/bulk";
import { importFromUrl } from "../services/url-import";

const tags = ["Users"];
const security = [{ apiKey: [] }];

const listUsersRoute = createRoute({
	operationId: "listUsers",
	method: "get",
	path: "/",
	tags,
	summary: "List users, optionally by email (case-insensitive)",
	security,
	middleware: tenantKey("viewer"),
	request: { query: UserQuery },
	responses: { 200: jsonContent(UserPage, "A page of users"), ...openApiErrorResponses },
});

const getUserRoute = createRoute({
	operationId: "getUser",
	method: "get",
	path: "/{externalId}",
	tags,
	summary: "Get a user by external id",
	security,
	middleware: tenantKey("viewer"),
	request: { params: ExternalIdParam },
	responses: { 200: jsonContent(User, "The user"), ...openApiErrorResponses, ...errorResponses(404) },
});

const listUserEnrollmentsRoute = createRoute({
	operationId: "listUserEnrollments",
	method: "get",
	path: "/{externalId}/enrollments",
	tags,
	summary: "A user's enrollments and license assignments",
	security,
	middleware: tenantKey("viewer"),
	request: { params: ExternalIdParam },
	responses: { 200: jsonContent(EnrollmentList, "Enrollments"), ...openApiErrorResponses, ...errorResponses(404) },
});

const bulkUsersRoute = createRoute({
	operationId: "bulkUsers",
	method: "post",
	path: "/bulk",
	tags,
	summary: "Create or update up to 10,000 users",
	security,
	middleware: [...tenantKey("admin"), jsonType, idempotency("streamed")] as const,
	...idempotent,
	request: { query: BulkQuery, body: jsonRequest(BulkUsersBody) },
	responses: {
		200: jsonContent(BulkResult, "Per-record results (fewer than 100 records)"),
		202: jsonContent(Job, "A job (100 records or more, or ?mode=async)"),
		...openApiErrorResponses,
		...jsonBodyErrors,
		...errorResponses(409),
	},
});

const bulkImportUsersRoute = createRoute({
	operationId: "bulkImportUsers",
	method: "post",
	path: "/bulkImport",
	tags: ["Imports"],
	summary: "Import users from a CSV at a URL, with catalog assignment",
	security,
	middleware: [...tenantKey("admin"), jsonBody, idempotency("buffered")] as const,
	...idempotent,
	request: { body: jsonRequest(BulkImportBody) },
	responses: {
		202: jsonContent(Job, "The import job"),
		...openApiErrorResponses,
		...jsonBodyErrors,
		...errorResponses(409),
	},
});

async function ownUser(database: Db, tenantId: string, externalId: string) {
	const user = await findUser(database, tenantId, externalId);
	if (!user) throw new ApiError("NOT_FOUND", `User ${externalId} not found`);
	return user;
}

export const userRoutes = router()
	.openapi(listUsersRoute, async (c) => {
		const { email, cursor, limit } = c.req.valid("query");
		const after = decodeCursor<number>(cursor, "number");
		const rows = await listUsers(records(c.env, c.get("shard")), c.get("tenantId"), { email, after, limit: limit + 1 });
		return c.json(
			toPage(rows, limit, (u) => u.id, userView),
			200,
		);
	})
	.openapi(getUserRoute, async (c) => {
		const user = await ownUser(records(c.env, c.get("shard")), c.get("tenantId"), c.req.valid("param").externalId);
		return c.json(userView(user), 200);
	})
	.openapi(listUserEnrollmentsRoute, async (c) => {
		const tenantId = c.get("tenantId");
		const database = records(c.env, c.get("shard"));
		const user = await ownUser(database, tenantId, c.req.valid("param").externalId);
		return c.json({ data: await userEnrollments(database, tenantId, user.id) }, 200);
	})
	.openapi(streamedJson(bulkUsersRoute), async (c) => {
		const { mode, ifBusy } = c.req.valid("query");
		const batch = { ...caller(c), type: "users" as const, request: c.req.raw, ifBusy };
		return answered(c, await submitBatch(c.env, batch, mode === "async"));
	})
	.openapi(bulkImportUsersRoute, async (c) => accepted(c, await importFromUrl(c.env, caller(c), c.req.valid("json"))));

documentStreamed(userRoutes, bulkUsersRoute);
