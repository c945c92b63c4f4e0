import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { requireKey } from "../auth/middleware";
import { jsonBody } from "../content-type";
import { type AppEnv, router } from "../context";
import { db, inJson } from "../db/client";
import { type CatalogKind, catalogItems } from "../db/schema";
import { ApiError } from "../errors";
import { idempotency } from "../idempotency";
import { importFromUrl } from "../jobs/url-import";
import { assertFetchable } from "../notify/url-guard";
import { authErrors, jsonContent, jsonRequest } from "../schemas/common";
import { type Assignments, Job } from "../schemas/jobs";
import { ImportOptions } from "../schemas/records";

/** The seed sends one id as a plain string where the table says an array: take both. */
const ids = z
	.union([z.string().min(1), z.array(z.string().min(1)).max(1000)])
	.transform((v) => (typeof v === "string" ? [v] : v))
	.optional();

const BulkImportBody = z
	.strictObject({
		url: z.string().min(1).max(2048),
		inviteMessage: z.string().max(10_000).optional(),
		bundleIds: ids,
		courseIds: ids,
		learningPathIds: ids,
		licenseIds: ids,
		clientId: z.string().max(255).optional(),
		role: z.string().max(64).optional(),
		dryRun: z.boolean().optional(),
	})
	.openapi("BulkImportRequest");

const LABELS: Record<CatalogKind, string> = {
	course: "course",
	learningPath: "learning path",
	bundle: "bundle",
	license: "license",
};

/** Every listed catalog id must exist before a job starts; unknown ones are named in one 400. */
async function checkCatalog(env: Env, tenantId: string, assign: Assignments): Promise<void> {
	const missing: string[] = [];
	for (const [kind, wanted] of Object.entries(assign) as [CatalogKind, string[]][]) {
		if (wanted.length === 0) continue;
		const found = await db(env)
			.select({ id: catalogItems.id })
			.from(catalogItems)
			.where(and(eq(catalogItems.tenantId, tenantId), eq(catalogItems.kind, kind), inJson(catalogItems.id, wanted)));
		const known = new Set(found.map((f) => f.id));
		missing.push(...wanted.filter((id) => !known.has(id)).map((id) => `${LABELS[kind]} ${id}`));
	}
	if (missing.length > 0) {
		throw new ApiError(
			"VALIDATION_ERROR",
			`Unknown catalog id(s): ${missing.join(", ")}`,
			missing.map((m) => ({ path: "ids", message: `unknown ${m}` })),
		);
	}
}

/** Streams the CSV at `url` into a users job; a URL that cannot be read makes a failed job saying why. */
async function bulkImport(c: Context<AppEnv>, body: z.output<typeof BulkImportBody>): Promise<z.infer<typeof Job>> {
	const tenantId = c.get("tenantId");
	const assign: Assignments = {
		course: body.courseIds ?? [],
		learningPath: body.learningPathIds ?? [],
		bundle: body.bundleIds ?? [],
		license: body.licenseIds ?? [],
	};
	assertFetchable(body.url, c.env);
	await checkCatalog(c.env, tenantId, assign);
	const options = ImportOptions.parse({
		sendWelcomeEmail: true,
		inviteMessage: body.inviteMessage,
		dryRun: body.dryRun ?? false,
	});
	const overrides = {
		...(body.role !== undefined ? { role: body.role } : {}),
		...(body.clientId !== undefined ? { clientId: body.clientId } : {}),
	};
	return importFromUrl(c.env, body.url, {
		tenantId,
		recordType: "users",
		options,
		type: "users.bulkImport",
		assign,
		overrides,
	});
}

const route = (path: string, tags: string[], summary: string, response: z.ZodType) =>
	createRoute({
		method: "post",
		path,
		tags,
		summary,
		security: [{ apiKey: [] }],
		middleware: [requireKey("admin"), jsonBody, idempotency("buffered")] as const,
		request: { body: jsonRequest(BulkImportBody) },
		responses: { 202: jsonContent(response, "The import job"), ...authErrors },
	});

const SeedJob = z.object({
	data: z.object({
		APIBulkImport: Job.pick({
			id: true,
			type: true,
			description: true,
			errorMessage: true,
			createdAt: true,
			repeatable: true,
			status: true,
		}),
	}),
});

export const bulkImportRoutes = router()
	.openapi(
		route("/v1/users/bulkImport", ["Imports"], "Import users from a CSV at a URL, with catalog assignment", Job),
		async (c) => {
			const job = await bulkImport(c, c.req.valid("json"));
			return c.json(job, 202, { Location: job.links.self });
		},
	)
	.openapi(
		route("/incoming/v2/users/bulkImport", ["Compatibility"], "Thought Industries bulkImport", SeedJob),
		async (c) => {
			const { id, type, description, errorMessage, createdAt, repeatable, status, links } = await bulkImport(
				c,
				c.req.valid("json"),
			);
			return c.json(
				{ data: { APIBulkImport: { id, type, description, errorMessage, createdAt, repeatable, status } } },
				202,
				{ Location: links.self },
			);
		},
	);
