import { authenticate } from "../auth/authenticate";
import type { Role } from "../auth/keys";
import { rateLimit } from "../auth/rate-limit";
import { requireRole } from "../auth/role";
import { tenantObject } from "./tenant";

const rateLimited = rateLimit({
	take: (env, tenantId, limits) => tenantObject(env, tenantId).takeRequestToken(limits),
});

/**
 * The middleware in front of every tenant route, in order: the key (401), a token from the tenant's
 * bucket in its Durable Object (429; taken before the role check, so refused requests count too),
 * then the role (403).
 */
export function tenantKey(minimum: Role): [typeof authenticate, typeof rateLimited, ReturnType<typeof requireRole>] {
	return [authenticate, rateLimited, requireRole(minimum)];
}
