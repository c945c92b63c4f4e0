import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requireKey } from "../auth/middleware";
import { jsonBody } from "../content-type";
import { type AppEnv, router } from "../context";
import { db } from "../db/client";
import { type Outcome, writeRecords } from "../db/writes";
import { ApiError } from "../errors";
import { idempotency } from "../idempotency";
import { BulkCompaniesBody, BulkEnrollmentsBody, BulkResult, BulkUsersBody, MAX_BULK_RECORDS } from "../schemas/bulk";
import { authErrors, jsonContent, jsonRequest, tooLarge } from "../schemas/common";
import { ImportOptions, type RecordType } from "../schemas/records";

const BODIES = { users: BulkUsersBody, companies: BulkCompaniesBody, enrollments: BulkEnrollmentsBody } as const;

type BulkDef = { type: RecordType; path: string; summary: string; tags: string[]; maxRecords?: number };

/** Every JSON bulk path, native and seed-shaped: one handler serves them all. */
const BULK_ROUTES: BulkDef[] = [
	{ type: "users", path: "/v1/users/bulk", summary: "Create or update up to 10,000 users", tags: ["Users"] },
	{ type: "companies", path: "/v1/companies/bulk", summary: "Create or update up to 10,000 companies", tags: ["Companies"] },
	{ type: "enrollments", path: "/v1/enrollments/bulk", summary: "Enroll users in courses, learning paths and bundles", tags: ["Enrollments"] },
	{ type: "users", path: "/incoming/v2/users/bulk", summary: "Thought Industries batch user creation (up to 100)", tags: ["Compatibility"], maxRecords: 100 },
	{ type: "enrollments", path: "/incoming/v2/enrollments/bulk", summary: "Thought Industries batch enrollments", tags: ["Compatibility"] },
	{ type: "users", path: "/v1/bulk/users", summary: "Bulk Operations API user import", tags: ["Compatibility"] },
	{ type: "users", path: "/v1/users/bulk_identify", summary: "Userpilot bulk identify users", tags: ["Compatibility"] },
	{ type: "companies", path: "/v1/companies/bulk_identify", summary: "Userpilot bulk identify companies", tags: ["Compatibility"] },
];

export const bulkRoutes = router();
for (const def of BULK_ROUTES) {
	const route = createRoute({
		method: "post",
		path: def.path,
		tags: def.tags,
		summary: def.summary,
		security: [{ apiKey: [] }],
		middleware: [requireKey("admin"), jsonBody, idempotency] as const,
		request: { body: jsonRequest(BODIES[def.type]) },
		responses: { 200: jsonContent(BulkResult, "Per-record results"), ...authErrors, ...tooLarge },
	});
	bulkRoutes.openapi(route, async (c) => {
		// The body schema is the one of def.type, so its records sit under that key.
		const body = c.req.valid("json") as unknown as Record<RecordType, unknown[]> & { options?: ImportOptions };
		return c.json(await writeBulk(c, def.type, body[def.type], body.options, def.maxRecords), 200);
	});
}

export function bulkResult(outcome: Outcome) {
	const { created, updated, skipped, failed } = outcome;
	return {
		successful: created + updated + skipped,
		failed,
		created,
		updated,
		skipped,
		errors: outcome.errors.map(({ ref, externalId, email, code, error }) => ({ index: ref, externalId, email, code, error })),
	};
}

/** The one synchronous write behind every JSON bulk route, native or seed-shaped. */
export async function writeBulk(
	c: Context<AppEnv>,
	type: RecordType,
	records: unknown[],
	options: ImportOptions | undefined,
	maxRecords = MAX_BULK_RECORDS,
) {
	if (records.length > maxRecords) {
		throw new ApiError("PAYLOAD_TOO_LARGE", `At most ${maxRecords} records per request; got ${records.length}`);
	}
	const outcome = await writeRecords(
		db(c.env),
		{
			tenantId: c.get("tenantId"),
			source: `request:${c.get("requestId")}`,
			options: options ?? ImportOptions.parse({}),
			now: new Date().toISOString(),
		},
		type,
		records.map((value, ref) => ({ ref, value })),
	);
	return bulkResult(outcome);
}
