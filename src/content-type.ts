import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/** Rejects bodies of another media type with 415 before the validator reads them. */
export function requireContentType(...types: string[]) {
	return createMiddleware<AppEnv>(async function requireContentType(c, next) {
		const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
		if (!types.includes(type)) {
			throw new ApiError(
				"UNSUPPORTED_MEDIA_TYPE",
				`Content-Type ${type || "(none)"} is not accepted here; send ${types.join(" or ")}`,
			);
		}
		await next();
	});
}

export const jsonBody = requireContentType("application/json");
