import { every } from "hono/combine";
import { createMiddleware } from "hono/factory";
import { authenticate } from "../auth/authenticate";
import type { Role } from "../auth/keys";
import { rateLimit } from "../auth/rate-limit";
import { requireRole } from "../auth/role";
import type { AppEnv } from "../context";
import { db } from "../db/client";
import { findTenant } from "../db/queries/tenants";
import { ApiError } from "../errors";
import { type Download, validLink } from "./links";
import { tenantObject } from "./tenant";

const authenticated = authenticate({
	admit: (env, tenantId, keyId, secretHash) => tenantObject(env, tenantId).admit(keyId, secretHash),
});

const rateLimited = rateLimit({
	take: (env, tenantId, limits) => tenantObject(env, tenantId).takeRequestToken(limits),
});

/**
 * The middleware in front of every tenant route, in order: the key (401), a token from the tenant's
 * bucket in its Durable Object (429; taken before the role check, so refused requests count too),
 * then the role (403). An API key's check and token are one call to the object.
 */
export function tenantKey(minimum: Role): [typeof authenticated, typeof rateLimited, ReturnType<typeof requireRole>] {
	return [authenticated, rateLimited, requireRole(minimum)];
}

/**
 * A job's download: a signed link (`tenant`, `expires`, `signature` from the job's links) stands
 * in for a viewer key, so browsers and spreadsheets can fetch it; without a signature it is a
 * tenant route like any other. An expired or altered link is 403. Either way it takes a token from
 * the tenant's bucket.
 */
export function keyOrSignedLink(download: Download) {
	const keyed = every(...tenantKey("viewer"));
	return createMiddleware<AppEnv>(async function keyOrSignedLink(c, next) {
		const { tenant, expires, signature } = c.req.query();
		if (signature === undefined) return keyed(c, next);
		const target = { tenantId: tenant ?? "", jobId: c.req.param("id") ?? "", download };
		if (!tenant || !(await validLink(c.env, target, expires, signature))) {
			throw new ApiError("FORBIDDEN", "This download link has expired or is not valid; get a new one from the job");
		}
		const row = await findTenant(db(c.env), tenant);
		if (!row) throw new ApiError("NOT_FOUND", `Job ${target.jobId} no longer exists`);
		c.set("tenantId", tenant);
		c.set("limits", row.limits);
		c.set("shard", row.shard);
		c.set("role", "viewer");
		// A link spends the tenant's request tokens like its keys do.
		return rateLimited(c, next);
	});
}
