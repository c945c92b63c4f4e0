import type { Hono } from "hono";
import type { MergeSchemaPath } from "hono/types";
import type { AppEnv } from "../context";
import type { apiKeyRoutes } from "../routes/api-keys";
import type { bulkRoutes } from "../routes/bulk";
import type { bulkImportRoutes } from "../routes/bulk-import";
import type { CATALOG_PATHS } from "../routes/catalog";
import type { companyRoutes } from "../routes/companies";
import type { healthRoutes } from "../routes/health";
import type { importRoutes } from "../routes/imports";
import type { jobRoutes } from "../routes/jobs";
import type { notificationRoutes } from "../routes/notifications";
import type { tenantRoutes } from "../routes/tenants";
import type { uploadRoutes } from "../routes/uploads";
import type { userRoutes } from "../routes/users";

// biome-ignore lint/suspicious/noExplicitAny: matches a router whatever its env and base path
type Mounted<R, Path extends string> = R extends Hono<any, infer S, any> ? MergeSchemaPath<S, Path> : never;
type Catalog = (typeof CATALOG_PATHS)[number];

/**
 * The API's routes as a type, for Hono's `hc`. src/app.ts mounts its routers with statements, which
 * leave `typeof app` without routes; this mounts the same routers at the same paths, in types only.
 */
export type AppType = Hono<
	AppEnv,
	| Mounted<typeof healthRoutes, "/v1/health">
	| Mounted<typeof tenantRoutes, "/v1/tenants">
	| Mounted<typeof apiKeyRoutes, "/v1/api-keys">
	| Mounted<typeof userRoutes, "/v1/users">
	| Mounted<typeof companyRoutes, "/v1/companies">
	| (Catalog extends infer C ? (C extends readonly [infer P extends string, infer R] ? Mounted<R, P> : never) : never)
	| Mounted<typeof bulkRoutes, "/">
	| Mounted<typeof bulkImportRoutes, "/">
	| Mounted<typeof importRoutes, "/v1/imports">
	| Mounted<typeof uploadRoutes, "/v1/uploads">
	| Mounted<typeof jobRoutes, "/">
	| Mounted<typeof notificationRoutes, "/">,
	"/"
>;
