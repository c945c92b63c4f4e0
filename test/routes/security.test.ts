import { beforeAll, describe, expect, it } from "vitest";
import { call, createKey, createTenant, type JobView } from "../helpers";

type Role = "viewer" | "admin" | "super_admin";
/** Ids of resources that belong to tenant A, which tenant B's keys must not reach. */
type Owned = { externalId: string; companyId: string; jobId: string; uploadId: string; keyId: string };
type Route = {
	method: "GET" | "POST" | "PUT" | "DELETE";
	path: string;
	role: Role;
	/** The path parameters naming one of A's resources, for routes that address one. */
	owned?: (a: Owned) => Record<string, string>;
	headers?: Record<string, string>;
	body?: string;
};

/** Every route behind a tenant key, with the least role it needs. */
const ROUTES: Route[] = [
	{ method: "POST", path: "/v1/api-keys", role: "super_admin" },
	{ method: "GET", path: "/v1/api-keys", role: "super_admin" },
	{ method: "DELETE", path: "/v1/api-keys/{id}", role: "super_admin", owned: (a) => ({ id: a.keyId }) },
	{ method: "GET", path: "/v1/users", role: "viewer" },
	{ method: "GET", path: "/v1/users/{externalId}", role: "viewer", owned: (a) => ({ externalId: a.externalId }) },
	{
		method: "GET",
		path: "/v1/users/{externalId}/enrollments",
		role: "viewer",
		owned: (a) => ({ externalId: a.externalId }),
	},
	{ method: "POST", path: "/v1/users/bulk", role: "admin" },
	{ method: "POST", path: "/v1/users/bulkImport", role: "admin" },
	{ method: "GET", path: "/v1/companies/{companyId}", role: "viewer", owned: (a) => ({ companyId: a.companyId }) },
	{ method: "POST", path: "/v1/companies/bulk", role: "admin" },
	{ method: "POST", path: "/v1/enrollments/bulk", role: "admin" },
	...["courses", "learning-paths", "bundles", "licenses"].flatMap((kind): Route[] => [
		{ method: "GET", path: `/v1/${kind}`, role: "viewer" },
		{ method: "PUT", path: `/v1/${kind}/{id}`, role: "admin" },
	]),
	{ method: "POST", path: "/v1/imports", role: "admin" },
	{ method: "POST", path: "/v1/uploads", role: "admin" },
	{ method: "GET", path: "/v1/uploads/{id}", role: "viewer", owned: (a) => ({ id: a.uploadId }) },
	{
		method: "PUT",
		path: "/v1/uploads/{id}/parts/{n}",
		role: "admin",
		owned: (a) => ({ id: a.uploadId, n: "1" }),
		headers: { "Content-Length": "1" },
		body: "x",
	},
	{ method: "POST", path: "/v1/uploads/{id}/complete", role: "admin", owned: (a) => ({ id: a.uploadId }) },
	{ method: "GET", path: "/v1/jobs", role: "viewer" },
	{ method: "GET", path: "/v1/jobs/{id}", role: "viewer", owned: (a) => ({ id: a.jobId }) },
	{ method: "POST", path: "/v1/jobs/{id}/cancel", role: "admin", owned: (a) => ({ id: a.jobId }) },
	{ method: "POST", path: "/v1/jobs/{id}/retry", role: "admin", owned: (a) => ({ id: a.jobId }) },
	{ method: "POST", path: "/v1/jobs/{id}/commit", role: "admin", owned: (a) => ({ id: a.jobId }) },
	{ method: "POST", path: "/v1/jobs/{id}/undo", role: "admin", owned: (a) => ({ id: a.jobId }) },
	{ method: "GET", path: "/v1/jobs/{id}/events", role: "viewer", owned: (a) => ({ id: a.jobId }) },
	{ method: "GET", path: "/v1/jobs/{id}/errors", role: "viewer", owned: (a) => ({ id: a.jobId }) },
	{ method: "GET", path: "/v1/jobs/{id}/results", role: "viewer", owned: (a) => ({ id: a.jobId }) },
	{ method: "GET", path: "/v1/mappings", role: "viewer" },
	{ method: "PUT", path: "/v1/mappings/{name}", role: "admin" },
	{ method: "GET", path: "/v1/mappings/{name}", role: "viewer", owned: () => ({ name: "a-mapping" }) },
	{ method: "DELETE", path: "/v1/mappings/{name}", role: "admin", owned: () => ({ name: "a-mapping" }) },
	{ method: "GET", path: "/v1/schemas/{type}", role: "viewer" },
	{ method: "GET", path: "/v1/templates/{file}", role: "viewer" },
	{ method: "POST", path: "/v1/exports", role: "admin" },
	{ method: "GET", path: "/v1/exports/{id}/file", role: "viewer", owned: (a) => ({ id: a.jobId }) },
	{ method: "GET", path: "/v1/notifications", role: "viewer" },
	{ method: "PUT", path: "/v1/webhook", role: "admin" },
	{ method: "GET", path: "/v1/webhook", role: "viewer", owned: () => ({}) },
	{ method: "DELETE", path: "/v1/webhook", role: "admin" },
	{ method: "POST", path: "/incoming/v2/users/bulk", role: "admin" },
	{ method: "POST", path: "/incoming/v2/enrollments/bulk", role: "admin" },
	{ method: "POST", path: "/incoming/v2/users/bulkImport", role: "admin" },
	{ method: "POST", path: "/v1/bulk/users", role: "admin" },
	{ method: "GET", path: "/v1/bulk/jobs/{jobId}", role: "viewer", owned: (a) => ({ jobId: a.jobId }) },
	{ method: "POST", path: "/v1/users/bulk_identify", role: "admin" },
	{ method: "POST", path: "/v1/companies/bulk_identify", role: "admin" },
];

const ROLES: Role[] = ["viewer", "admin", "super_admin"];
const fill = (path: string, params: Record<string, string> = {}) =>
	path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? "x"));
/** Limits high enough that the matrix's own requests are never rate limited. */
const UNLIMITED = { burst: 100_000, requestsPerMinute: 1_000_000 };

let owned: Owned;
let keys: Record<Role | "revoked", string>;

/** Tenant A owns one resource of each kind; tenant B holds a key of each role and a revoked one. */
beforeAll(async () => {
	const a = await createTenant("A", UNLIMITED);
	const key = a.apiKey.key;
	await call("/v1/users/bulk", { method: "POST", key, json: { users: [{ externalId: "a-user" }] } });
	await call("/v1/companies/bulk", { method: "POST", key, json: { companies: [{ companyId: "a-co" }] } });
	const job = await (
		await call("/v1/users/bulk?mode=async", { method: "POST", key, json: { users: [{ externalId: "a-job" }] } })
	).json<JobView>();
	const upload = await (
		await call("/v1/uploads", { method: "POST", key, json: { type: "users", format: "ndjson" } })
	).json<{ id: string }>();
	await call("/v1/webhook", {
		method: "PUT",
		key,
		json: { url: "https://hooks.example.com/a", secret: "a-secret-of-16-chars" },
	});
	await call("/v1/mappings/a-mapping", { method: "PUT", key, json: { type: "users", columns: { Mail: "email" } } });
	const aKey = await createKey(key, "admin");
	owned = { externalId: "a-user", companyId: "a-co", jobId: job.id, uploadId: upload.id, keyId: aKey.id };

	const b = await createTenant("B", UNLIMITED);
	const revoked = await createKey(b.apiKey.key, "admin", "revoked");
	await call(`/v1/api-keys/${revoked.id}`, { method: "DELETE", key: b.apiKey.key });
	keys = {
		viewer: (await createKey(b.apiKey.key, "viewer")).key,
		admin: (await createKey(b.apiKey.key, "admin")).key,
		super_admin: b.apiKey.key,
		revoked: revoked.key,
	};
});

function send(route: Route, key: string | undefined, params?: Record<string, string>) {
	return call(fill(route.path, params), { method: route.method, key, headers: route.headers, body: route.body });
}

/** 401 without a key or with a revoked one, 403 below the route's role, 404 for another tenant's resource. */
describe("every tenant route", () => {
	it.each(ROUTES)(
		"$method $path refuses missing and revoked keys, lower roles and another tenant's resources",
		async (route) => {
			const statuses = async (key: string | undefined) => (await send(route, key)).status;
			for (const key of [undefined, keys.revoked]) {
				const res = await send(route, key);
				expect(res.status).toBe(401);
				expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm="cohort".*, Token realm="cohort"$/);
			}
			for (const role of ROLES) {
				const below = ROLES.indexOf(role) < ROLES.indexOf(route.role);
				const status = await statuses(keys[role]);
				if (below) expect(status, `${role} on a ${route.role} route`).toBe(403);
				else expect([401, 403], `${role} on a ${route.role} route`).not.toContain(status);
			}
			if (route.owned) {
				const res = await send(route, keys.super_admin, route.owned(owned));
				expect(res.status, "another tenant's resource").toBe(404);
				expect((await res.json<{ error: { code: string } }>()).error.code).toBe("NOT_FOUND");
			}
		},
	);

	it("the matrix covers every operation the API documents behind a tenant key", async () => {
		type Operation = { security?: { apiKey?: string[] }[] };
		const doc = await (await call("/openapi.json")).json<{ paths: Record<string, Record<string, Operation>> }>();
		const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
			Object.entries(operations)
				.filter(([, op]) => op.security?.some((s) => s.apiKey))
				.map(([method]) => `${method.toUpperCase()} ${path}`),
		);
		expect(ROUTES.map((r) => `${r.method} ${r.path}`).sort()).toEqual(documented.sort());
	});
});
