import { createRoute } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { accepted, router } from "../context";
import { decodeCursor, encodeCursor, IdParam, jsonContent } from "../schemas/common";
import { errorResponses, openApiErrorResponses } from "../schemas/errors";
import { JobPage, JobsQuery } from "../schemas/job-list";
import { ENDED_STATUSES, Job } from "../schemas/jobs";
import { tenantKey } from "../services/access";
import { cancelJob, findJob, jobErrorReport, listJobs } from "../services/jobs";
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
	middleware: tenantKey("admin"),
	request: { params: IdParam },
	responses: { 202: jsonContent(Job, "The retry job"), ...openApiErrorResponses, ...errorResponses(404, 409) },
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
		200: { description: "text/event-stream of `job` events" },
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
	security,
	middleware: tenantKey("viewer"),
	request: { params: IdParam },
	responses: {
		200: { description: "application/x-ndjson or text/csv" },
		...openApiErrorResponses,
		...errorResponses(404),
	},
});

export const jobRoutes = router()
	.openapi(listJobsRoute, async (c) => {
		const { status, cursor, limit } = c.req.valid("query");
		const before = decodeCursor<number>(cursor, "number");
		const page = await listJobs(c.env, c.get("tenantId"), status, before, limit);
		return c.json({ data: page.jobs, nextCursor: page.nextSeq === null ? null : encodeCursor(page.nextSeq) }, 200);
	})
	.openapi(getJobRoute, async (c) => c.json(await findJob(c.env, c.get("tenantId"), c.req.valid("param").id), 200))
	.openapi(cancelJobRoute, async (c) => c.json(await cancelJob(c.env, c.get("tenantId"), c.req.valid("param").id), 200))
	.openapi(retryJobRoute, async (c) => accepted(c, await retryJob(c.env, c.get("tenantId"), c.req.valid("param").id)))
	.openapi(getJobEventsRoute, async (c) => {
		const tenantId = c.get("tenantId");
		const id = c.req.valid("param").id;
		let job = await findJob(c.env, tenantId, id);
		return streamSSE(c, async (stream) => {
			let last = "";
			for (;;) {
				const data = JSON.stringify(job);
				if (data !== last) await stream.writeSSE({ event: "job", data, id: String(job.counts.processed) });
				last = data;
				if (ENDED_STATUSES.includes(job.status) || stream.aborted) return;
				await stream.sleep(1000);
				job = await findJob(c.env, tenantId, id);
			}
		});
	})
	.openapi(getJobErrorsRoute, async (c) => {
		const csv = (c.req.header("Accept") ?? "").includes("text/csv");
		const report = await jobErrorReport(c.env, c.get("tenantId"), c.req.valid("param").id, csv ? "csv" : "ndjson");
		return c.body(report, 200, { "Content-Type": csv ? "text/csv; charset=utf-8" : "application/x-ndjson" });
	});
