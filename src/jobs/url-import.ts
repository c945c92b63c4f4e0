import { mediaType } from "../content-type";
import { FILE_DOWNLOAD, OutboundError, outboundFetch } from "../notify/outbound";
import { redactUrl } from "../notify/url-guard";
import type { Job } from "../schemas/jobs";
import { createJob, failedJob, type JobInput } from "./create";

const CSV_TYPES = ["text/csv", "application/csv", "text/plain", "application/octet-stream", ""];

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
export async function importFromUrl(env: Env, url: string, input: UrlImport): Promise<Job> {
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
