import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { accepted, caller, router } from "../context";
import { idempotency } from "../idempotency";
import { decodeCursor, encodeCursor, IdParam, jsonContent } from "../schemas/common";
import { errorResponses, openApiErrorResponses } from "../schemas/errors";
import { JobPage, JobsQuery } from "../schemas/job-list";
import { ENDED_STATUSES, Job, SignedLinkQuery } from "../schemas/jobs";
import { idempotent, reportContent } from "../schemas/openapi";
import { ErrorReportRow, ResultRow } from "../schemas/report";
import { keyOrSignedLink, tenantKey } from "../services/access";
import { commitJob, undoJob } from "../services/change";
import { cancelJob, findJob, jobErrorReport, jobResultsReport, listJobs } from "../services/jobs";
import { retryJob } from "../services/retry";

const tags = ["Jobs"];
const security = [{ apiKey: [] }];

const listJobsRoute = createRoute({
	operationId: "listJobs",
	method: "get",
	path: "/",
	tags,
	summary: "List jobs, newest first",
	security,
	middleware: tenantKey("viewer"),
	request: { query: JobsQuery },
	responses: { 200: jsonContent(JobPage, "A page of jobs"), ...openApiErrorResponses },
});

const getJobRoute = createRoute({
	operationId: "getJob",
	method: "get",
	path: "/{id}",
	tags,
	summary: "Get a job",
	security,
	middleware: tenantKey("viewer"),
	request: { params: IdParam },
	responses: { 200: jsonContent(Job, "The job"), ...openApiErrorResponses, ...errorResponses(404) },
});

const cancelJobRoute = createRoute({
	operationId: "cancelJob",
	method: "post",
	path: "/{id}/cancel",
	tags,
	summary: "Cancel a job: pending at once, processing at the next chunk (what was written stays)",
	security,
	middleware: tenantKey("admin"),
	request: { params: IdParam },
	responses: { 200: jsonContent(Job, "The cancelled job"), ...openApiErrorResponses, ...errorResponses(404, 409) },
});

const retryJobRoute = createRoute({
	operationId: "retryJob",
	method: "post",
	path: "/{id}/retry",
	tags,
	summary: "A new job over the failed records of an ended job only",
	security,
	middleware: [...tenantKey("admin"), idempotency("buffered")] as const,
	...idempotent,
	request: { params: IdParam },
	responses: { 202: jsonContent(Job, "The retry job"), ...openApiErrorResponses, ...errorResponses(404, 409) },
});

const commitJobRoute = createRoute({
	operationId: "commitJob",
	method: "post",
	path: "/{id}/commit",
	tags,
	summary: "Run a completed preview (dryRun job) for real, from the input it kept: a new job with `commitOf`",
	description:
		"409 when a record the preview would touch was written since (its rows changed, or an identity it would create now exists); the message and `details` name the records by line (or index).",
	security,
	middleware: [...tenantKey("admin"), idempotency("buffered")] as const,
	...idempotent,
	request: { params: IdParam },
	responses: { 202: jsonContent(Job, "The commit job"), ...openApiErrorResponses, ...errorResponses(404, 409) },
});

const undoJobRoute = createRoute({
	operationId: "undoJob",
	method: "post",
	path: "/{id}/undo",
	tags,
	summary: "A job (`<type>.undo`, with `undoOf`) that restores what an ended job updated and removes what it created",
	description:
		"Rows changed by anything after the job are left as they are and reported in its results as `skipped` with code `CONFLICT`. 409 for a job still running, a preview, an undo, or a job undone already.",
	security,
	middleware: [...tenantKey("admin"), idempotency("buffered")] as const,
	...idempotent,
	request: { params: IdParam },
	responses: { 202: jsonContent(Job, "The undo job"), ...openApiErrorResponses, ...errorResponses(404, 409) },
});

const getJobEventsRoute = createRoute({
	operationId: "getJobEvents",
	method: "get",
	path: "/{id}/events",
	tags,
	summary: "Server-sent events: the job object on every change until it ends",
	security,
	middleware: tenantKey("viewer"),
	request: { params: IdParam },
	responses: {
		200: {
			description:
				"One `job` event (data: the Job as JSON; id: its processed count) on every change, until the job has ended. Reconnect with `Last-Event-ID` to go on.",
			content: { "text/event-stream": { schema: z.string() } },
		},
		...openApiErrorResponses,
		...errorResponses(404),
	},
});

const getJobErrorsRoute = createRoute({
	operationId: "getJobErrors",
	method: "get",
	path: "/{id}/errors",
	tags,
	summary: "Every failed record: NDJSON by default, CSV with Accept: text/csv",
	description:
		"CSV cells that start with `=`, `+`, `-`, `@`, tab or CR get a leading `'` so that spreadsheets do not run them.",
	security,
	middleware: keyOrSignedLink("errors"),
	request: { params: IdParam, query: SignedLinkQuery },
	responses: {
		200: reportContent(ErrorReportRow, "The failed records in line (or index) order"),
		...openApiErrorResponses,
		...errorResponses(404),
	},
});

const getJobResultsRoute = createRoute({
	operationId: "getJobResults",
	method: "get",
	path: "/{id}/results",
	tags,
	summary: "Every record's outcome in input order (so far, while the job runs): NDJSON, or CSV with Accept: text/csv",
	security,
	middleware: keyOrSignedLink("results"),
	request: { params: IdParam, query: SignedLinkQuery },
	responses: {
		200: reportContent(ResultRow, "Every record's outcome in line (or index) order"),
		...openApiErrorResponses,
		...errorResponses(404),
	},
});

/** NDJSON unless the client asks for CSV. */
const reportFormat = (accept: string | undefined) => ((accept ?? "").includes("text/csv") ? "csv" : "ndjson");
const REPORT_TYPES = { csv: "text/csv; charset=utf-8", ndjson: "application/x-ndjson" } as const;

export const jobRoutes = router()
	.openapi(listJobsRoute, async (c) => {
		const { status, cursor, limit } = c.req.valid("query");
		const before = decodeCursor<number>(cursor, "number");
		const page = await listJobs(c.env, c.get("tenantId"), status, before, limit);
		return c.json({ data: page.jobs, nextCursor: page.nextSeq === null ? null : encodeCursor(page.nextSeq) }, 200);
	})
	.openapi(getJobRoute, async (c) => c.json(await findJob(c.env, c.get("tenantId"), c.req.valid("param").id), 200))
	.openapi(cancelJobRoute, async (c) => c.json(await cancelJob(c.env, c.get("tenantId"), c.req.valid("param").id), 200))
	.openapi(retryJobRoute, async (c) => accepted(c, await retryJob(c.env, caller(c), c.req.valid("param").id)))
	.openapi(commitJobRoute, async (c) => accepted(c, await commitJob(c.env, caller(c), c.req.valid("param").id)))
	.openapi(undoJobRoute, async (c) => accepted(c, await undoJob(c.env, caller(c), c.req.valid("param").id)))
	.openapi(getJobEventsRoute, async (c) => {
		const tenantId = c.get("tenantId");
		const id = c.req.valid("param").id;
		let job = await findJob(c.env, tenantId, id);
		return streamSSE(c, async (stream) => {
			let last = "";
			for (;;) {
				// Download links are signed afresh every minute; only a change of the job itself is an event.
				const state = JSON.stringify({ ...job, links: null });
				if (state !== last) {
					await stream.writeSSE({ event: "job", data: JSON.stringify(job), id: String(job.counts.processed) });
				}
				last = state;
				if (ENDED_STATUSES.includes(job.status) || stream.aborted) return;
				await stream.sleep(1000);
				job = await findJob(c.env, tenantId, id);
			}
		});
	})
	.openapi(getJobErrorsRoute, async (c) => {
		const format = reportFormat(c.req.header("Accept"));
		const report = await jobErrorReport(c.env, caller(c), c.req.valid("param").id, format);
		// Through the context, so the answer keeps the headers middleware set (X-Request-Id, rate limits).
		return c.body(report, 200, { "Content-Type": REPORT_TYPES[format] });
	})
	.openapi(getJobResultsRoute, async (c) => {
		const format = reportFormat(c.req.header("Accept"));
		const report = await jobResultsReport(c.env, caller(c), c.req.valid("param").id, format);
		return c.body(report, 200, { "Content-Type": REPORT_TYPES[format] });
	});
