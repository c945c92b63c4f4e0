import { OpenAPIHono } from "@hono/zod-openapi";
import { validationError } from "./errors";

export type AppEnv = {
	Bindings: Env;
	Variables: { requestId: string; tenantId: string };
};

/** Every router validates through the same hook, so zod failures reach `onError` as one envelope. */
export function router() {
	return new OpenAPIHono<AppEnv>({
		defaultHook: (result) => {
			if (!result.success) throw validationError(result.error, result.target);
		},
	});
}
