import { contextStorage } from "hono/context-storage";
import { requestId } from "hono/request-id";
import { router } from "./context";
import { ApiError, renderError } from "./errors";
import { requestLog } from "./log";
import { methodsServing } from "./methods";
import { adminRoutes } from "./routes/admin";
import { apiKeyRoutes } from "./routes/api-keys";
import { bundleRoutes, courseRoutes, learningPathRoutes, licenseRoutes } from "./routes/catalog";
import { companyRoutes } from "./routes/companies";
import { bulkOperationsRoutes, thoughtIndustriesRoutes, userpilotRoutes } from "./routes/compat";
import { enrollmentRoutes } from "./routes/enrollments";
import { exportRoutes } from "./routes/exports";
import { healthRoutes } from "./routes/health";
import { importRoutes } from "./routes/imports";
import { jobRoutes } from "./routes/jobs";
import { mappingRoutes } from "./routes/mappings";
import { notificationRoutes } from "./routes/notifications";
import { schemaRoutes, templateRoutes } from "./routes/schemas";
import { tenantRoutes } from "./routes/tenants";
import { uploadRoutes } from "./routes/uploads";
import { userRoutes } from "./routes/users";
import { webhookRoutes } from "./routes/webhook";
import { documentConfig, finishDocument, jobEndedWebhook } from "./schemas/openapi";
import { CompanyRecord, EnrollmentRecord, UserRecord } from "./schemas/records";

const base = router();
base.use(requestId());
// Lets job creation read who asks and the host asked (services/create-job.ts) without every route passing them.
base.use(contextStorage());
base.use(async function keepRequestId(c, next) {
	await next();
	// Again on the answer: a handler that returns a Response of its own (a stream) drops headers set before it.
	c.header("X-Request-Id", c.get("requestId"));
});
base.use(requestLog);
base.onError(renderError);
// Answered here rather than thrown: a throw from the not-found handler would skip the request log.
base.notFound((c) => {
	const allow = methodsServing(base.routes, c.req.path);
	if (allow.length === 0) return renderError(new ApiError("NOT_FOUND", "No such route"), c);
	const message = `${c.req.method} is not served at this path; it serves ${allow.join(", ")}`;
	return renderError(new ApiError("METHOD_NOT_ALLOWED", message, undefined, { Allow: allow.join(", ") }), c);
});

/** Every router under its prefix, chained, so that the chain's type describes every route to `hc<AppType>`. */
export const app = base
	.route("/v1/health", healthRoutes)
	.route("/v1/tenants", tenantRoutes)
	.route("/v1/admin", adminRoutes)
	.route("/v1/api-keys", apiKeyRoutes)
	.route("/v1/users", userRoutes)
	.route("/v1/companies", companyRoutes)
	.route("/v1/enrollments", enrollmentRoutes)
	.route("/v1/courses", courseRoutes)
	.route("/v1/learning-paths", learningPathRoutes)
	.route("/v1/bundles", bundleRoutes)
	.route("/v1/licenses", licenseRoutes)
	.route("/v1/imports", importRoutes)
	.route("/v1/uploads", uploadRoutes)
	.route("/v1/jobs", jobRoutes)
	.route("/v1/mappings", mappingRoutes)
	.route("/v1/schemas", schemaRoutes)
	.route("/v1/templates", templateRoutes)
	.route("/v1/exports", exportRoutes)
	.route("/v1/notifications", notificationRoutes)
	.route("/v1/webhook", webhookRoutes)
	.route("/incoming/v2", thoughtIndustriesRoutes)
	.route("/v1/bulk", bulkOperationsRoutes)
	.route("/v1", userpilotRoutes);

/** The whole API's types, for a client made with hono's `hc<AppType>(baseUrl)`. */
export type AppType = typeof app;

app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
	type: "http",
	scheme: "bearer",
	description:
		"A tenant API key (`ck_key_…`); `Authorization: Token <key>` is accepted too, and the dashboard's session cookie.",
});
app.openAPIRegistry.registerComponent("securitySchemes", "operator", {
	type: "http",
	scheme: "bearer",
	description: "The operator secret ADMIN_API_KEY.",
});
// The JSON bulk bodies validate records one by one and refer to these schemas for the documentation.
app.openAPIRegistry.register("UserRecord", UserRecord);
app.openAPIRegistry.register("CompanyRecord", CompanyRecord);
app.openAPIRegistry.register("EnrollmentRecord", EnrollmentRecord);
app.openAPIRegistry.registerWebhook(jobEndedWebhook);

let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
/** The document is generated once per isolate; only `servers` depends on the request (the origin it came to). */
app.get("/openapi.json", (c) => {
	document ??= finishDocument(app.getOpenAPI31Document(documentConfig("")));
	return c.json({ ...document, servers: documentConfig(new URL(c.req.url).origin).servers });
});
