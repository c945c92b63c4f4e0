import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { type Role, roleAtLeast } from "./keys";

/** The key's role must be at least `minimum`. Runs after `authenticate` (and after the rate limit, so refusals count). */
export function requireRole(minimum: Role) {
	return createMiddleware<AppEnv>(async function requireRole(c, next) {
		const role = c.get("role");
		if (!roleAtLeast(role, minimum)) {
			throw new ApiError("FORBIDDEN", `This action needs the ${minimum} role; the key has ${role}`);
		}
		await next();
	});
}
