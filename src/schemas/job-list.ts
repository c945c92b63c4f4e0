import { z } from "@hono/zod-openapi";
import { PageQuery, page } from "./common";
import { JOB_STATUSES, Job } from "./jobs";

export const JobsQuery = PageQuery.extend({ status: z.enum(JOB_STATUSES).optional() });
export const JobPage = page(Job);
