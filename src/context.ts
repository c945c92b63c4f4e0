import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Role } from "./auth/keys";
import type { RateDecision } from "./auth/rate-limit";
import { validationError } from "./errors";
import type { CreatedBy, Job } from "./schemas/jobs";
import type { TenantLimits } from "./schemas/tenants";

export type AppEnv = {
	Bindings: Env;
	Variables: {
		requestId: string;
		tenantId: string;
		limits: TenantLimits;
		/** The record shard of the tenant, read with its key: `records(c.env, c.get("shard"))`. */
		shard: number;
		role: Role;
		createdBy: CreatedBy;
		/** The request token, when authentication took it with the key. */
		rate?: RateDecision;
	};
};

/** Every router validates through the same hook, so zod failures reach `onError` as one envelope. */
export function router() {
	return new OpenAPIHono<AppEnv>({
		defaultHook: (result) => {
			if (!result.success) throw validationError(result.error, result.target);
		},
	});
}

/** A started job: 202 with the job and its Location, as every route that starts one answers. */
export const accepted = (c: Context<AppEnv>, job: Job) => c.json(job, 202, { Location: job.links.self });

/** The tenant a write is for, its record shard, and the request that makes it. */
export const caller = (c: Context<AppEnv>) => ({
	tenantId: c.get("tenantId"),
	shard: c.get("shard"),
	requestId: c.get("requestId"),
});

/** Answers a Cohort bulk route: the per-record results of a small batch, or the job of a larger one. */
export const answered = <R>(c: Context<AppEnv>, answer: { result: R } | { job: Job }) =>
	"job" in answer ? accepted(c, answer.job) : c.json(answer.result, 200);
