import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { requireKey } from "../auth/middleware";
import { jsonBody, mediaType } from "../content-type";
import { type AppEnv, router } from "../context";
import { db } from "../db/client";
import { type Outcome, writeRecords } from "../db/writes";
import { KINDS } from "../db/writes/kinds";
import { ApiError } from "../errors";
import { idempotency } from "../idempotency";
import { createJob, recordsAsNdjson } from "../jobs/create";
import { announceWelcomes } from "../notify/deliver";
import { BulkResult, bulkBody, MAX_BULK_RECORDS } from "../schemas/bulk";
import { authErrors, conflict, IfBusy, jsonContent, jsonRequest, type RecordType, tooLarge } from "../schemas/common";
import { Job } from "../schemas/jobs";
import { ImportOptions } from "../schemas/records";
import { fileJob } from "./imports";

/** Below this many records a batch is answered in the request (spec §5). */
const SYNC_LIMIT = 100;

/** sync: always answered in the request; job: always a job; auto: a job from 100 records or ?mode=async. */
type Mode = "sync" | "job" | "auto";
type BulkDef = { type: RecordType; path: string; summary: string; tags: string[]; mode: Mode; maxRecords?: number };

/** Every JSON bulk path, native and seed-shaped: one handler serves them all. */
const BULK_ROUTES: BulkDef[] = [
	{
		type: "users",
		path: "/v1/users/bulk",
		summary: "Create or update up to 10,000 users",
		tags: ["Users"],
		mode: "auto",
	},
	{
		type: "companies",
		path: "/v1/companies/bulk",
		summary: "Create or update up to 10,000 companies",
		tags: ["Companies"],
		mode: "auto",
	},
	{
		type: "enrollments",
		path: "/v1/enrollments/bulk",
		summary: "Enroll users in courses, learning paths and bundles",
		tags: ["Enrollments"],
		mode: "auto",
	},
	{
		type: "users",
		path: "/incoming/v2/users/bulk",
		summary: "Thought Industries batch user creation (up to 100, synchronous)",
		tags: ["Compatibility"],
		mode: "sync",
		maxRecords: 100,
	},
	{
		type: "enrollments",
		path: "/incoming/v2/enrollments/bulk",
		summary: "Thought Industries batch enrollments",
		tags: ["Compatibility"],
		mode: "auto",
	},
	{
		type: "users",
		path: "/v1/bulk/users",
		summary: "Bulk Operations API user import",
		tags: ["Compatibility"],
		mode: "auto",
	},
	{
		type: "users",
		path: "/v1/users/bulk_identify",
		summary: "Userpilot bulk identify users (JSON, or multipart NDJSON `file`)",
		tags: ["Compatibility"],
		mode: "job",
	},
	{
		type: "companies",
		path: "/v1/companies/bulk_identify",
		summary: "Userpilot bulk identify companies (JSON, or multipart NDJSON `file`)",
		tags: ["Compatibility"],
		mode: "job",
	},
];

const BulkQuery = z.object({
	mode: z.enum(["sync", "async"]).optional(),
	ifBusy: IfBusy.default("queue"),
});

/** Userpilot's multipart NDJSON upload on a bulk_identify path becomes a file import job. */
function multipartImport(type: RecordType) {
	return createMiddleware<AppEnv>(async function multipartImport(c, next) {
		if (mediaType(c.req.header("Content-Type")) !== "multipart/form-data") return next();
		return fileJob(c, type, ImportOptions.parse({}), c.req.query("ifBusy") === "reject" ? "reject" : "queue");
	});
}

export const bulkRoutes = router();
for (const def of BULK_ROUTES) {
	const route = createRoute({
		method: "post",
		path: def.path,
		tags: def.tags,
		summary: def.summary,
		security: [{ apiKey: [] }],
		middleware: [requireKey("admin"), multipartImport(def.type), jsonBody, idempotency("buffered")] as const,
		request: { query: BulkQuery, body: jsonRequest(bulkBody(KINDS[def.type])) },
		responses: {
			200: jsonContent(BulkResult, "Per-record results (small batches)"),
			202: jsonContent(Job, "A job (100 records or more, or ?mode=async)"),
			...authErrors,
			...conflict,
			...tooLarge,
		},
	});
	bulkRoutes.openapi(route, async (c) => {
		// The body schema is the one of def.type, so its records sit under that key.
		const body = c.req.valid("json") as unknown as Record<RecordType, unknown[]> & { options?: ImportOptions };
		const { mode, ifBusy } = c.req.valid("query");
		const records = body[def.type];
		const maxRecords = def.maxRecords ?? MAX_BULK_RECORDS;
		if (records.length > maxRecords) {
			throw new ApiError("PAYLOAD_TOO_LARGE", `At most ${maxRecords} records per request; got ${records.length}`);
		}
		const options = body.options ?? ImportOptions.parse({});
		const asJob = def.mode === "job" || (def.mode === "auto" && (mode === "async" || records.length >= SYNC_LIMIT));
		if (!asJob) return c.json(await writeBulk(c, def.type, records, options), 200);
		const job = await createJob(c.env, {
			tenantId: c.get("tenantId"),
			recordType: def.type,
			format: "ndjson",
			origin: "json",
			options,
			body: recordsAsNdjson(records),
			ifBusy,
		});
		return c.json(job, 202, { Location: job.links.self });
	});
}

function bulkResult(outcome: Outcome) {
	const { created, updated, skipped, failed } = outcome;
	return {
		successful: created + updated + skipped,
		failed,
		created,
		updated,
		skipped,
		errors: outcome.errors.map(({ ref, externalId, email, code, error }) => ({
			index: ref,
			externalId,
			email,
			code,
			error,
		})),
	};
}

/** The one synchronous write behind every JSON bulk route, native or seed-shaped. */
async function writeBulk(c: Context<AppEnv>, type: RecordType, records: unknown[], options: ImportOptions) {
	const outcome = await writeRecords(
		db(c.env),
		{ tenantId: c.get("tenantId"), source: `request:${c.get("requestId")}`, options, now: new Date().toISOString() },
		type,
		records.map((value, ref) => ({ ref, value })),
	);
	await announceWelcomes(c.env, c.get("tenantId"), options, outcome.created);
	return bulkResult(outcome);
}
