export { type Client, type ClientOptions, createClient, type Job, ok, okResponse } from "./client";
export { CohortError } from "./errors";
export { type FollowOptions, followJob } from "./events";
export { type RetryPolicy, withRetries } from "./retry";
export { type ErrorRow, errorRows, ndjsonRows, type ResultRow, resultRows } from "./rows";
export {
	type FileFormat,
	type ImportOptions,
	type RecordType,
	STAGED_ABOVE,
	type UploadFileOptions,
	type UploadResult,
	uploadFile,
} from "./upload";
export { verifySignature } from "./webhook";
