import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";

export const ERROR_STATUS = {
	VALIDATION_ERROR: 400,
	UNAUTHORIZED: 401,
	FORBIDDEN: 403,
	NOT_FOUND: 404,
	METHOD_NOT_ALLOWED: 405,
	CONFLICT: 409,
	JOB_IN_PROGRESS: 409,
	PAYLOAD_TOO_LARGE: 413,
	UNSUPPORTED_MEDIA_TYPE: 415,
	RATE_LIMITED: 429,
	INTERNAL: 500,
	SERVICE_UNAVAILABLE: 503,
	TENANT_MOVING: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorDetail = { path: string; message: string };

export class ApiError extends Error {
	constructor(
		readonly code: ErrorCode,
		message: string,
		readonly details?: ErrorDetail[],
		readonly headers?: Record<string, string>,
	) {
		super(message);
	}
}

type Issue = ZodError["issues"][number];

const joined = (path: PropertyKey[]) => path.map(String).join(".");

/** An unknown key is its own detail, at its own path, so each names the field to remove. */
function zodDetails(error: ZodError): ErrorDetail[] {
	return error.issues.flatMap((issue) =>
		issue.code === "unrecognized_keys"
			? issue.keys.map((key) => ({ path: joined([...issue.path, key]), message: "Unknown field" }))
			: [{ path: joined(issue.path), message: issue.message }],
	);
}

/** What a request part is called in a message: the whole of it, and one of its fields. */
const PARTS: Record<string, { whole: string; field: string }> = {
	json: { whole: "body", field: "body field" },
	form: { whole: "form", field: "form field" },
	query: { whole: "query string", field: "query parameter" },
	param: { whole: "path", field: "path parameter" },
	header: { whole: "headers", field: "header" },
	cookie: { whole: "cookies", field: "cookie" },
};

function summary(issue: Issue, part: { whole: string; field: string }): string {
	if (issue.code === "unrecognized_keys") {
		return `Unknown ${part.field} ${issue.keys.map((key) => `"${joined([...issue.path, key])}"`).join(", ")}`;
	}
	const path = joined(issue.path);
	return path ? `Invalid ${part.field} "${path}": ${issue.message}` : `Invalid ${part.whole}: ${issue.message}`;
}

/**
 * A request that failed its schema (`target` is the part that did: json, query, param, …): the
 * message names the first problem and its field, the details list every one.
 */
export function validationError(error: ZodError, target = "request"): ApiError {
	const part = PARTS[target] ?? { whole: target, field: `${target} field` };
	const [first, ...rest] = error.issues;
	const more = rest.length > 0 ? ` (and ${rest.length} more in details)` : "";
	const message = first ? summary(first, part) + more : `Invalid ${part.whole}`;
	return new ApiError("VALIDATION_ERROR", message, zodDetails(error));
}

export function renderError(err: Error, c: Context): Response {
	const requestId = c.get("requestId") ?? "";
	let apiError: ApiError;
	if (err instanceof ApiError) apiError = err;
	else if (err instanceof HTTPException) apiError = fromHttpException(err);
	else {
		console.error(JSON.stringify({ requestId, error: err.message, stack: err.stack }));
		apiError = new ApiError("INTERNAL", "Internal error; quote the request id when reporting it.");
	}
	const body = {
		error: {
			code: apiError.code,
			message: apiError.message,
			requestId,
			...(apiError.details ? { details: apiError.details } : {}),
		},
	};
	return c.json(body, ERROR_STATUS[apiError.code], apiError.headers);
}

function fromHttpException(err: HTTPException): ApiError {
	const code = (Object.keys(ERROR_STATUS) as ErrorCode[]).find((k) => ERROR_STATUS[k] === err.status);
	return new ApiError(code ?? "INTERNAL", code ? err.message : "Internal error");
}
