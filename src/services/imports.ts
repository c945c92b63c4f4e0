import { z } from "@hono/zod-openapi";
import { mediaType } from "../content-type";
import { ApiError, validationError } from "../errors";
import type { ColumnMapping } from "../ingest/csv";
import { decodeBody } from "../ingest/decode";
import { multipartFile } from "../ingest/multipart";
import type { FileFormat, IfBusy, RecordType } from "../schemas/common";
import type { Job } from "../schemas/jobs";
import { type MappingRef, MappingText } from "../schemas/mappings";
import type { ImportOptions } from "../schemas/records";
import { createJob, type JobInput } from "./create-job";
import { resolveMapping } from "./mappings";

const NDJSON_TYPES = ["application/x-ndjson", "application/jsonl", "application/ndjson"];

/**
 * The file of a request: a raw NDJSON or CSV body, or the `file` field of a multipart form, both
 * streamed. A multipart body's Content-Encoding applies to the whole form, so it is decoded first.
 */
async function requestFile(
	req: Request,
	maxBytes: number,
): Promise<{ body: ReadableStream<Uint8Array>; format: FileFormat; encoding: string | null; mapping?: string }> {
	const type = mediaType(req.headers.get("Content-Type") ?? undefined);
	const encoding = req.headers.get("Content-Encoding");
	if (type === "text/csv" && req.body) return { body: req.body, format: "csv", encoding };
	if (NDJSON_TYPES.includes(type) && req.body) return { body: req.body, format: "ndjson", encoding };
	if (type === "multipart/form-data") {
		const form = decodeBody(req.body ?? new Blob().stream(), { encoding, maxBytes });
		const file = await multipartFile(form, req.headers.get("Content-Type")!, ["mapping"]);
		const csv = file.mediaType === "text/csv" || (file.filename ?? "").toLowerCase().endsWith(".csv");
		return { body: file.body, format: csv ? "csv" : "ndjson", encoding: null, mapping: file.fields.mapping };
	}
	throw new ApiError(
		"UNSUPPORTED_MEDIA_TYPE",
		`Content-Type ${type || "(none)"} is not accepted; send application/x-ndjson, text/csv or multipart/form-data with a file field`,
	);
}

/** The mapping of the query string or of a multipart form's `mapping` field; not both. */
async function fileMapping(
	env: Env,
	tenantId: string,
	type: RecordType,
	query: MappingRef | undefined,
	field: string | undefined,
): Promise<ColumnMapping | undefined> {
	if (field === undefined) return resolveMapping(env, tenantId, type, query);
	if (query !== undefined) {
		throw new ApiError("VALIDATION_ERROR", "Give the mapping once: in the query string or in the form, not both", [
			{ path: "mapping", message: "given twice" },
		]);
	}
	const parsed = z.object({ mapping: MappingText }).safeParse({ mapping: field });
	if (!parsed.success) throw validationError(parsed.error, "form");
	return resolveMapping(env, tenantId, type, parsed.data.mapping);
}

/** The request's file as a job of `recordType`: the one path from an uploaded file to a job. */
export async function importFile(
	env: Env,
	tenantId: string,
	req: Request,
	input: { recordType: RecordType; options: ImportOptions; ifBusy: IfBusy; mapping?: MappingRef } & Pick<
		JobInput,
		"maxBytes" | "maxRecords"
	>,
): Promise<Job> {
	const file = await requestFile(req, Number(env.MAX_IMPORT_BYTES));
	const mapping = await fileMapping(env, tenantId, input.recordType, input.mapping, file.mapping);
	return createJob(env, {
		mapping,
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
