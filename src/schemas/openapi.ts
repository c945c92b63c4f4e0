import { z } from "@hono/zod-openapi";
import { jsonRequest } from "./common";
import { Job } from "./jobs";
import { type Aliases, COMPANY_ALIASES, ENROLLMENT_ALIASES, USER_ALIASES } from "./records";

/*
 * What /openapi.json says besides the routes: the document's header, the headers and parameters
 * that middleware adds to every operation, and the job webhook. Headers that middleware guarantees
 * are added by rule (`withCommonHeaders`), so a new route gets them without repeating them.
 */

const header = (description: string, required = true, schema: object = { type: "string" }) => ({
	description,
	required,
	schema,
});
const unixSeconds = { type: "integer", minimum: 0 };

export const HEADERS = {
	"X-Request-Id": header(
		"This request's id (the client's own `X-Request-Id` when it sent a valid one); quote it when reporting a problem.",
	),
	"X-RateLimit-Limit": header("The tenant's burst: the most requests its bucket holds.", true, unixSeconds),
	"X-RateLimit-Remaining": header("Whole requests left in the tenant's bucket.", true, unixSeconds),
	"X-RateLimit-Reset": header("Unix second at which the bucket is full again.", true, unixSeconds),
	"Retry-After": header("Seconds until a request would be accepted again.", true, unixSeconds),
	Location: header("Where to read what was made: a job's `/v1/jobs/{id}` (poll it) or an upload's."),
	"Idempotent-Replayed": header(
		"`true` when this is the stored answer to an earlier request with the same Idempotency-Key.",
		false,
		{ type: "string", enum: ["true"] },
	),
	"WWW-Authenticate": header("The authentication scheme the route expects.", false),
};
type HeaderName = keyof typeof HEADERS;
const RATE_LIMIT = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"] as const;
const ref = (name: HeaderName) => ({ $ref: `#/components/headers/${name}` });

/** `Idempotency-Key` on every POST that creates a job or writes records (spread into `createRoute`). */
export const idempotent = {
	parameters: [
		{
			name: "Idempotency-Key",
			in: "header" as const,
			required: false,
			description:
				"Any string of 1 to 255 characters. The same key on the same route with the same body within 24 h returns the first answer again (with `Idempotent-Replayed: true`) instead of running twice; with another body it is a 409 CONFLICT.",
			schema: { type: "string" as const, minLength: 1, maxLength: 255 },
			example: "import-2026-11-25-hris",
		},
	],
};

/** The raw bytes of a file body, one schema per media type it may be sent as. */
const fileBytes = (mediaType: string) => ({ schema: { type: "string" as const, contentMediaType: mediaType } });

/** A multipart form with the file in field `file` (other fields are ignored). */
const multipartFile = {
	schema: {
		type: "object" as const,
		required: ["file"],
		properties: {
			file: { type: "string" as const, contentMediaType: "application/octet-stream", description: "NDJSON or CSV" },
		},
	},
};

/** Request bodies of file imports: NDJSON, CSV, or a multipart form whose `file` field is either. */
export const fileBody = (description: string) => ({
	required: true,
	description,
	content: {
		"application/x-ndjson": fileBytes("application/x-ndjson"),
		"application/jsonl": fileBytes("application/jsonl"),
		"text/csv": fileBytes("text/csv"),
		"multipart/form-data": {
			schema: {
				...multipartFile.schema,
				properties: {
					mapping: {
						type: "string" as const,
						description: "CSV only, before `file`: as the `mapping` query parameter (a profile's name or JSON)",
					},
					...multipartFile.schema.properties,
				},
			},
		},
	},
});

/**
 * A JSON body that may also come as a multipart NDJSON `file` (Userpilot's bulk_identify). Typed as
 * JSON alone: middleware reads the multipart form before validation, and a second media type in
 * the type would hide the JSON body's type from `hc` clients.
 */
export function jsonOrFileRequest<T extends z.ZodType>(schema: T) {
	const request = jsonRequest(schema);
	return { ...request, content: { ...request.content, "multipart/form-data": multipartFile } } as typeof request;
}

/** `Content-Encoding` of a file body: gzip is decoded while it streams. */
export const contentEncoding = {
	name: "Content-Encoding",
	in: "header" as const,
	required: false,
	description: "`gzip` when the body is compressed; it is decoded as it streams.",
	schema: { type: "string" as const, enum: ["gzip", "identity"] },
};

/** A response streamed as NDJSON (one `item` per line) or CSV with the same columns. */
export function reportContent<T extends z.ZodType>(item: T, description: string) {
	return {
		description,
		content: {
			"application/x-ndjson": { schema: item },
			"text/csv": { schema: z.string().openapi({ description: "The same rows as CSV, with a header row" }) },
		},
	};
}

const JobEvent = z
	.object({
		type: z.enum(["job.completed", "job.failed", "job.cancelled"]).openapi({ example: "job.completed" }),
		job: Job,
	})
	.openapi("JobEvent");

/** The tenant's webhook (PUT /v1/webhook) hears of every job that ends; documented under `webhooks`. */
export const jobEndedWebhook = {
	method: "post" as const,
	path: "jobEnded",
	operationId: "jobEnded",
	summary: "A job ended (completed, failed or cancelled)",
	description:
		"POSTed once per job to the tenant's webhook. Verify `Cohort-Signature` (`t=<unix>,v1=<hex HMAC-SHA256 of t + \".\" + body>` with the webhook's secret) over the raw body. A non-2xx answer is retried with exponential backoff (6 attempts); redirects are not followed.",
	tags: ["Notifications"],
	security: [],
	parameters: [
		{
			name: "Cohort-Signature",
			in: "header" as const,
			required: true,
			schema: { type: "string" as const },
			example: "t=1764091200,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
		},
	],
	request: { body: { required: true, content: { "application/json": { schema: JobEvent } } } },
	responses: {
		200: { description: "Received; any 2xx status will do" },
		400: { description: "Refused; delivered again later, like any non-2xx answer" },
	},
};

const TAGS = {
	Users: "User records: JSON batches, reads and URL imports",
	Companies: "Company records",
	Enrollments: "Enrollments of users in courses, learning paths and bundles",
	Catalog: "Courses, learning paths, bundles and licenses that enrollments refer to",
	Imports: "Files and URLs imported as jobs",
	Uploads: "Staged uploads of files too large for one request",
	Jobs: "Jobs: progress, events, error reports, cancel and retry",
	Notifications: "Welcome messages and the tenant's job webhook",
	"API keys": "The tenant's keys (super_admin)",
	Tenants: "Tenant management (operator key)",
	Health: "Liveness",
	Compatibility: "The seed APIs' own paths and shapes (Thought Industries, Bulk Operations, Userpilot)",
};

/** The document's own fields; `servers` is where it was fetched from. */
export const documentConfig = (origin: string) => ({
	openapi: "3.1.0",
	info: {
		title: "Cohort API",
		version: "1.0.0",
		description:
			"Bulk import of users, companies and enrollments. Every response carries `X-Request-Id`; every response to a tenant key carries the `X-RateLimit-*` headers. Errors are one envelope (`Error`).",
	},
	servers: [{ url: origin, description: "This deployment" }],
	tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
});

type Schema = { properties?: Record<string, object>; description?: string };
type Response = { headers?: Record<string, object> };
type Operation = {
	security?: Record<string, string[]>[];
	parameters?: { name?: string }[];
	responses?: Record<string, Response>;
};
type Document = {
	paths?: Record<string, Record<string, Operation>>;
	components?: { schemas?: Record<string, Schema>; headers?: Record<string, object> };
};

const RECORD_ALIASES: Record<string, Aliases> = {
	UserRecord: USER_ALIASES,
	CompanyRecord: COMPANY_ALIASES,
	EnrollmentRecord: ENROLLMENT_ALIASES,
};

/** Each alias as a property of its own (same rules as its field), so clients may send `user_id` as the seeds do. */
function documentAliases(schemas: Record<string, Schema>) {
	for (const [name, aliases] of Object.entries(RECORD_ALIASES)) {
		const properties = schemas[name]?.properties;
		if (!properties) continue;
		for (const [field, names] of Object.entries(aliases)) {
			const canonical = properties[field];
			if (!canonical) continue;
			for (const alias of names ?? []) {
				properties[alias] = { ...canonical, description: `Alias of \`${field}\`; send only one of the two.` };
			}
		}
	}
}

/**
 * Adds what middleware guarantees to every operation of a generated document: `X-Request-Id` on
 * every answer; the rate-limit headers on every answer to a tenant key (a 401 has no tenant yet,
 * and a 403 may have been refused before the bucket);
 * `Retry-After` on 429; `Location` on 202; `Idempotent-Replayed` where `Idempotency-Key` is taken.
 */
export function finishDocument<D extends object>(generated: D): D {
	const doc = generated as Document;
	doc.components = { ...doc.components, headers: HEADERS };
	documentAliases(doc.components.schemas ?? {});
	for (const operations of Object.values(doc.paths ?? {})) {
		for (const operation of Object.values(operations)) {
			const tenant = operation.security?.some((s) => "apiKey" in s) ?? false;
			const idempotentOp = operation.parameters?.some((p) => p.name === "Idempotency-Key") ?? false;
			for (const [status, response] of Object.entries(operation.responses ?? {})) {
				const names: HeaderName[] = ["X-Request-Id"];
				if (status === "429" || (tenant && status === "503")) names.push("Retry-After");
				if (status === "401") names.push("WWW-Authenticate");
				if (status === "202") names.push("Location");
				if (idempotentOp && status.startsWith("2")) names.push("Idempotent-Replayed");
				const headers: Record<string, object> = Object.fromEntries(names.map((n) => [n, ref(n)]));
				if (tenant && status !== "401") {
					for (const n of RATE_LIMIT) {
						// A session-cookie write from another origin is refused (403) before it reaches the bucket.
						headers[n] = status === "403" ? { ...HEADERS[n], required: false } : ref(n);
					}
				}
				response.headers = { ...headers, ...response.headers };
			}
		}
	}
	return generated;
}
