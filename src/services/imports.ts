import { mediaType } from "../content-type";
import { ApiError } from "../errors";
import type { FileFormat, IfBusy, RecordType } from "../schemas/common";
import type { Job } from "../schemas/jobs";
import type { ImportOptions } from "../schemas/records";
import { createJob } from "./create-job";

const NDJSON_TYPES = ["application/x-ndjson", "application/jsonl", "application/ndjson"];

/** The file of a request: a raw NDJSON or CSV body, or the `file` field of a multipart form. */
async function requestFile(req: Request): Promise<{ body: ReadableStream<Uint8Array>; format: FileFormat }> {
	const type = mediaType(req.headers.get("Content-Type") ?? undefined);
	if (type === "text/csv" && req.body) return { body: req.body, format: "csv" };
	if (NDJSON_TYPES.includes(type) && req.body) return { body: req.body, format: "ndjson" };
	if (type === "multipart/form-data") {
		// The runtime parses forms whole; raw bodies are the streaming path for very large files.
		const file = (await req.formData()).get("file");
		if (!(file instanceof File))
			throw new ApiError("VALIDATION_ERROR", 'The multipart body has no file in field "file"', [
				{ path: "file", message: "required" },
			]);
		const csv = file.type === "text/csv" || file.name.toLowerCase().endsWith(".csv");
		return { body: file.stream(), format: csv ? "csv" : "ndjson" };
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
	input: { recordType: RecordType; options: ImportOptions; ifBusy: IfBusy },
): Promise<Job> {
	const file = await requestFile(req);
	return createJob(env, {
		tenantId,
		recordType: input.recordType,
		format: file.format,
		origin: "file",
		options: input.options,
		body: file.body,
		encoding: req.headers.get("Content-Encoding"),
		ifBusy: input.ifBusy,
	});
}
