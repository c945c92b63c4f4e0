import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";

export const ERROR_STATUS = {
	VALIDATION_ERROR: 400,
	UNAUTHORIZED: 401,
	FORBIDDEN: 403,
	NOT_FOUND: 404,
	CONFLICT: 409,
	JOB_IN_PROGRESS: 409,
	PAYLOAD_TOO_LARGE: 413,
	UNSUPPORTED_MEDIA_TYPE: 415,
	RATE_LIMITED: 429,
	INTERNAL: 500,
	SERVICE_UNAVAILABLE: 503,
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

function zodDetails(error: ZodError): ErrorDetail[] {
	return error.issues.map((issue) => ({
		path: issue.path.map(String).join("."),
		message: issue.message,
	}));
}

export function validationError(error: ZodError, where = "request"): ApiError {
	const details = zodDetails(error);
	const first = details[0];
	const summary = first ? `${first.path || where}: ${first.message}` : "invalid input";
	return new ApiError("VALIDATION_ERROR", `Invalid ${where}: ${summary}`, details);
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
