import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { requireKey } from "../auth/middleware";
import { type AppEnv, router } from "../context";
import { ApiError } from "../errors";
import { errorPages, errorReport } from "../jobs/report";
import { retryJob } from "../jobs/retry";
import { authErrors, conflict, decodeCursor, encodeCursor, jsonContent, notFound, PageQuery } from "../schemas/common";
import { ENDED_STATUSES, JOB_STATUSES, Job } from "../schemas/jobs";
import { orRefuse, tenantObject } from "../tenant/object";

const tags = ["Jobs"];
const security = [{ apiKey: [] }];
const JobId = z.object({ id: z.string() });
const viewer = requireKey("viewer");

async function findJob(c: Context<AppEnv>, id: string) {
	const job = await tenantObject(c.env, c.get("tenantId")).getJob(id);
	if (!job) throw new ApiError("NOT_FOUND", `Job ${id} not found`);
	return job;
}

const getJob = <P extends string>(path: P, summary: string) =>
	createRoute({
		method: "get",
		path,
		tags,
		summary,
		security,
		middleware: [viewer] as const,
		request: { params: JobId },
		responses: { 200: jsonContent(Job, "The job"), ...authErrors, ...notFound },
	});

export const jobRoutes = router()
	.openapi(
		createRoute({
			method: "get",
			path: "/v1/jobs",
			tags,
			summary: "List jobs, newest first",
			security,
			middleware: [viewer] as const,
			request: { query: PageQuery.extend({ status: z.enum(JOB_STATUSES).optional() }) },
			responses: {
				200: jsonContent(z.object({ data: z.array(Job), nextCursor: z.string().nullable() }), "A page of jobs"),
				...authErrors,
			},
		}),
		async (c) => {
			const { status, cursor, limit } = c.req.valid("query");
			const page = await tenantObject(c.env, c.get("tenantId")).listJobs(
				status,
				decodeCursor<number>(cursor, "number"),
				limit,
			);
			return c.json({ data: page.jobs, nextCursor: page.nextSeq === null ? null : encodeCursor(page.nextSeq) }, 200);
		},
	)
	.openapi(getJob("/v1/jobs/{id}", "Get a job"), async (c) => c.json(await findJob(c, c.req.valid("param").id), 200))
	.openapi(getJob("/v1/bulk/jobs/{id}", "Bulk Operations API job status"), async (c) =>
		c.json(await findJob(c, c.req.valid("param").id), 200),
	)
	.openapi(
		createRoute({
			method: "post",
			path: "/v1/jobs/{id}/cancel",
			tags,
			summary: "Cancel a job: pending at once, processing at the next chunk (what was written stays)",
			security,
			middleware: [requireKey("admin")] as const,
			request: { params: JobId },
			responses: { 200: jsonContent(Job, "The cancelled job"), ...authErrors, ...notFound, ...conflict },
		}),
		async (c) => {
			const result = await tenantObject(c.env, c.get("tenantId")).cancelJob(c.req.valid("param").id);
			return c.json(orRefuse<z.infer<typeof Job>>(result), 200);
		},
	)
	.openapi(
		createRoute({
			method: "post",
			path: "/v1/jobs/{id}/retry",
			tags,
			summary: "A new job over the failed records of an ended job only",
			security,
			middleware: [requireKey("admin")] as const,
			request: { params: JobId },
			responses: { 202: jsonContent(Job, "The retry job"), ...authErrors, ...notFound, ...conflict },
		}),
		async (c) => {
			const job = await retryJob(c.env, c.get("tenantId"), c.req.valid("param").id);
			return c.json(job, 202, { Location: job.links.self });
		},
	)
	.openapi(
		createRoute({
			method: "get",
			path: "/v1/jobs/{id}/events",
			tags,
			summary: "Server-sent events: the job object on every change until it ends",
			security,
			middleware: [viewer] as const,
			request: { params: JobId },
			responses: { 200: { description: "text/event-stream of `job` events" }, ...authErrors, ...notFound },
		}),
		async (c) => {
			const id = c.req.valid("param").id;
			let job = await findJob(c, id);
			return streamSSE(c, async (stream) => {
				let last = "";
				for (;;) {
					const data = JSON.stringify(job);
					if (data !== last) await stream.writeSSE({ event: "job", data, id: String(job.counts.processed) });
					last = data;
					if (ENDED_STATUSES.includes(job.status) || stream.aborted) return;
					await stream.sleep(1000);
					job = await findJob(c, id);
				}
			});
		},
	)
	.openapi(
		createRoute({
			method: "get",
			path: "/v1/jobs/{id}/errors",
			tags,
			summary: "Every failed record: NDJSON by default, CSV with Accept: text/csv",
			security,
			middleware: [viewer] as const,
			request: { params: JobId },
			responses: { 200: { description: "application/x-ndjson or text/csv" }, ...authErrors, ...notFound },
		}),
		async (c) => {
			const id = c.req.valid("param").id;
			const origin = (await tenantObject(c.env, c.get("tenantId")).getJobSpec(id))?.origin;
			if (!origin) throw new ApiError("NOT_FOUND", `Job ${id} not found`);
			const csv = (c.req.header("Accept") ?? "").includes("text/csv");
			return new Response(errorReport(errorPages(c.env, id), csv ? "csv" : "ndjson", origin), {
				headers: { "Content-Type": csv ? "text/csv; charset=utf-8" : "application/x-ndjson" },
			});
		},
	);
