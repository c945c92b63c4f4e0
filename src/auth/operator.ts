import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { unauthorized } from "./challenge";
import { bearerToken } from "./keys";
import { MIN_OPERATOR_KEY, operatorGate } from "./operator-gate";

/**
 * The operator secret `ADMIN_API_KEY`, for tenant management only; operator requests are not rate
 * limited. A key shorter than MIN_OPERATOR_KEY switches these routes off; failed attempts are
 * throttled per client address.
 */
export const requireOperator = createMiddleware<AppEnv>(async function requireOperator(c, next) {
	if ((c.env.ADMIN_API_KEY ?? "").length < MIN_OPERATOR_KEY) {
		throw new ApiError(
			"SERVICE_UNAVAILABLE",
			`Operator routes are disabled: ADMIN_API_KEY must be set to at least ${MIN_OPERATOR_KEY} characters`,
		);
	}
	const client = c.req.header("CF-Connecting-IP") ?? "unknown";
	const verdict = await operatorGate(c.env, client).attempt(bearerToken(c.req.header("Authorization")));
	if (verdict.retryAfter !== undefined) {
		throw new ApiError(
			"RATE_LIMITED",
			`Too many failed operator attempts; retry in ${verdict.retryAfter} s`,
			undefined,
			{ "Retry-After": String(verdict.retryAfter) },
		);
	}
	if (!verdict.ok) {
		const presented = c.req.header("Authorization") !== undefined;
		throw unauthorized("This route needs the operator key (ADMIN_API_KEY)", "cohort-operator", presented);
	}
	await next();
});
