import { mediaType } from "../content-type";
import { ApiError } from "../errors";
import { decodeBody } from "../ingest/decode";
import { multipartFile } from "../ingest/multipart";
import type { FileFormat, IfBusy, RecordType } from "../schemas/common";
import type { Job } from "../schemas/jobs";
import type { ImportOptions } from "../schemas/records";
import { createJob, type JobInput } from "./create-job";

const NDJSON_TYPES = ["application/x-ndjson", "application/jsonl", "application/ndjson"];

/**
 * The file of a request: a raw NDJSON or CSV body, or the `file` field of a multipart form, both
 * streamed. A multipart body's Content-Encoding applies to the whole form, so it is decoded first.
 */
async function requestFile(
	req: Request,
	maxBytes: number,
): Promise<{ body: ReadableStream<Uint8Array>; format: FileFormat; encoding: string | null }> {
	const type = mediaType(req.headers.get("Content-Type") ?? undefined);
	const encoding = req.headers.get("Content-Encoding");
	if (type === "text/csv" && req.body) return { body: req.body, format: "csv", encoding };
	if (NDJSON_TYPES.includes(type) && req.body) return { body: req.body, format: "ndjson", encoding };
	if (type === "multipart/form-data") {
		const form = decodeBody(req.body ?? new Blob().stream(), { encoding, maxBytes });
		const file = await multipartFile(form, req.headers.get("Content-Type")!);
		const csv = file.mediaType === "text/csv" || (file.filename ?? "").toLowerCase().endsWith(".csv");
		return { body: file.body, format: csv ? "csv" : "ndjson", encoding: null };
	}
	throw new ApiError(
		"UNSUPPORTED_MEDIA_TYPE",
		`Content-Type ${type || "(none)"} is not accepted; send application/x-ndjson, text/csv or multipart/form-data with a file field`,
	);
}

/** The request's file as a job of `recordType`: the one path from an uploaded file to a job. */
export async function importFile(
	env: Env,
	tenantId: string,
	req: Request,
	input: { recordType: RecordType; options: ImportOptions; ifBusy: IfBusy } & Pick<JobInput, "maxBytes" | "maxRecords">,
): Promise<Job> {
	const file = await requestFile(req, Number(env.MAX_IMPORT_BYTES));
	return createJob(env, {
		tenantId,
		recordType: input.recordType,
		format: file.format,
		origin: "file",
		options: input.options,
		body: file.body,
		encoding: file.encoding,
		ifBusy: input.ifBusy,
		maxBytes: input.maxBytes,
		maxRecords: input.maxRecords,
	});
}
