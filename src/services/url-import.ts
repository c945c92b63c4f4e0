import { mediaType } from "../content-type";
import { db } from "../db/client";
import { existingItemIds } from "../db/queries/catalog";
import type { CatalogKind } from "../db/schema";
import { ApiError } from "../errors";
import { assertFetchable, guardedFetch } from "../notify/url-guard";
import type { BulkImportBody } from "../schemas/imports";
import type { Assignments, Job } from "../schemas/jobs";
import { ImportOptions } from "../schemas/records";
import { createJob, failedJob } from "./create-job";

const CSV_TYPES = ["text/csv", "application/csv", "text/plain", "application/octet-stream", ""];
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
		const known = await existingItemIds(db(env), tenantId, kind, wanted);
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
export async function importFromUrl(env: Env, tenantId: string, body: BulkImportBody): Promise<Job> {
	const assign: Assignments = {
		course: body.courseIds ?? [],
		learningPath: body.learningPathIds ?? [],
		bundle: body.bundleIds ?? [],
		license: body.licenseIds ?? [],
	};
	assertFetchable(body.url, env);
	await checkCatalog(env, tenantId, assign);
	const options = ImportOptions.parse({
		sendWelcomeEmail: true,
		inviteMessage: body.inviteMessage,
		dryRun: body.dryRun ?? false,
	});
	const overrides = {
		...(body.role !== undefined ? { role: body.role } : {}),
		...(body.clientId !== undefined ? { clientId: body.clientId } : {}),
	};
	const description = `Import of users from ${body.url}`;
	const base = { tenantId, recordType: "users" as const, options, type: "users.bulkImport", assign, overrides };
	let response: Response;
	try {
		response = await guardedFetch(body.url, env);
	} catch (error) {
		if (error instanceof ApiError) throw error;
		return failedJob(env, { ...base, description }, `Could not reach ${body.url}: ${(error as Error).message}`);
	}
	const type = mediaType(response.headers.get("Content-Type") ?? undefined);
	const problem = !response.ok
		? `${body.url} answered ${response.status} ${response.statusText}`.trim()
		: !CSV_TYPES.includes(type)
			? `${body.url} answered with Content-Type ${type}, not CSV`
			: !response.body
				? `${body.url} answered with an empty body`
				: undefined;
	if (problem) {
		await response.body?.cancel();
		return failedJob(env, { ...base, description }, problem);
	}
	return createJob(env, {
		...base,
		format: "csv",
		origin: "file",
		body: response.body!,
		encoding: response.headers.get("Content-Encoding"),
		description,
	});
}
