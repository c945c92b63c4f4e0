import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { bearerToken, secretsEqual } from "./keys";

/** The operator secret `ADMIN_API_KEY`, for tenant management only; operator requests are not rate limited. */
export const requireOperator = createMiddleware<AppEnv>(async function requireOperator(c, next) {
	const token = bearerToken(c.req.header("Authorization"));
	if (!token || !c.env.ADMIN_API_KEY || !(await secretsEqual(token, c.env.ADMIN_API_KEY))) {
		throw new ApiError("UNAUTHORIZED", "This route needs the operator key (ADMIN_API_KEY)");
	}
	await next();
});
