import { mediaType } from "../content-type";
import { type Db, records } from "../db/client";
import { existingItemIds } from "../db/queries/catalog";
import type { CatalogKind } from "../db/schema";
import { ApiError, validationError } from "../errors";
import { FILE_DOWNLOAD, OutboundError, outboundFetch } from "../notify/outbound";
import { assertFetchable, redactUrl } from "../notify/url-guard";
import type { BulkImportBody } from "../schemas/imports";
import type { Assignments, Job } from "../schemas/jobs";
import { ImportOptions } from "../schemas/records";
import { createJob, failedJob, type JobInput } from "./create-job";
import { resolveMapping } from "./mappings";

const CSV_TYPES = ["text/csv", "application/csv", "text/plain", "application/octet-stream", ""];
const LABELS: Record<CatalogKind, string> = {
	course: "course",
	learningPath: "learning path",
	bundle: "bundle",
	license: "license",
};

/** Every listed catalog id must exist before a job starts; unknown ones are named in one 400. */
async function checkCatalog(database: Db, tenantId: string, assign: Assignments): Promise<void> {
	const missing: string[] = [];
	for (const [kind, wanted] of Object.entries(assign) as [CatalogKind, string[]][]) {
		if (wanted.length === 0) continue;
		const known = await existingItemIds(database, tenantId, kind, wanted);
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

type UrlImport = Omit<JobInput, "body" | "format" | "origin" | "encoding" | "description">;

/** Why an answer is not a CSV file to import, in words a tenant may see; undefined when it is one. */
function problemWith(response: Response): string | undefined {
	if (!response.ok) return `HTTP ${response.status}`;
	const type = mediaType(response.headers.get("Content-Type") ?? undefined);
	if (!CSV_TYPES.includes(type)) return `it is served as ${type.slice(0, 100)}, not CSV`;
	if (!response.body) return "the answer has no body";
	return undefined;
}

/**
 * Streams the CSV at `url` into a job. A file that cannot be fetched makes a failed job whose
 * `errorMessage` says why in our own words (connection failed, timed out, HTTP 404, …), and the
 * job shows the URL without its userinfo or query string.
 */
async function fetchIntoJob(env: Env, url: string, input: UrlImport): Promise<Job> {
	const description = `Import of ${input.recordType} from ${redactUrl(url)}`;
	const fail = (why: string) => failedJob(env, { ...input, description }, `Could not fetch the file: ${why}`);
	let response: Response;
	try {
		response = await outboundFetch(url, env, {}, FILE_DOWNLOAD);
	} catch (error) {
		if (error instanceof OutboundError) return fail(error.message);
		throw error;
	}
	const problem = problemWith(response);
	if (problem) {
		await response.body?.cancel();
		return fail(problem);
	}
	try {
		return await createJob(env, {
			...input,
			format: "csv",
			origin: "file",
			// The runtime has already decoded a gzip answer (and keeps its Content-Encoding header).
			body: response.body!,
			description,
		});
	} catch (error) {
		if (error instanceof OutboundError) return fail(error.message);
		throw error;
	}
}

/** The URL import of §8: catalog ids checked first, then the CSV at `url` streamed into a users job. */
export async function importFromUrl(
	env: Env,
	{ tenantId, shard }: { tenantId: string; shard: number },
	body: BulkImportBody,
): Promise<Job> {
	const assign: Assignments = {
		course: body.courseIds ?? [],
		learningPath: body.learningPathIds ?? [],
		bundle: body.bundleIds ?? [],
		license: body.licenseIds ?? [],
	};
	assertFetchable(body.url, env);
	await checkCatalog(records(env, shard), tenantId, assign);
	const mapping = await resolveMapping(env, tenantId, "users", body.mapping);
	const parsed = ImportOptions.safeParse({
		sendWelcomeEmail: true,
		inviteMessage: body.inviteMessage,
		dryRun: body.dryRun ?? false,
		sync: body.sync,
		maxDeactivate: body.maxDeactivate,
	});
	if (!parsed.success) throw validationError(parsed.error, "json");
	const options = parsed.data;
	const overrides = {
		...(body.role !== undefined ? { role: body.role } : {}),
		...(body.clientId !== undefined ? { clientId: body.clientId } : {}),
	};
	return fetchIntoJob(env, body.url, {
		tenantId,
		recordType: "users",
		options,
		type: "users.bulkImport",
		assign,
		overrides,
		mapping,
	});
}
