import { swaggerUI } from "@hono/swagger-ui";
import { contextStorage } from "hono/context-storage";
import { requestId } from "hono/request-id";
import { router } from "./context";
import { ApiError, renderError } from "./errors";
import { requestLog } from "./log";
import { apiKeyRoutes } from "./routes/api-keys";
import { bundleRoutes, courseRoutes, learningPathRoutes, licenseRoutes } from "./routes/catalog";
import { companyRoutes } from "./routes/companies";
import { bulkOperationsRoutes, thoughtIndustriesRoutes, userpilotRoutes } from "./routes/compat";
import { enrollmentRoutes } from "./routes/enrollments";
import { healthRoutes } from "./routes/health";
import { importRoutes } from "./routes/imports";
import { jobRoutes } from "./routes/jobs";
import { notificationRoutes } from "./routes/notifications";
import { tenantRoutes } from "./routes/tenants";
import { uploadRoutes } from "./routes/uploads";
import { userRoutes } from "./routes/users";
import { webhookRoutes } from "./routes/webhook";

const base = router();
base.use(requestId());
// Lets job creation read who asks and the host asked (services/create-job.ts) without every route passing them.
base.use(contextStorage());
base.use(requestLog);
base.onError(renderError);
// Answered here rather than thrown: a throw from the not-found handler would skip the request log.
base.notFound((c) => renderError(new ApiError("NOT_FOUND", "No such route"), c));

/** Every router under its prefix, chained, so that the chain's type describes every route to `hc<AppType>`. */
export const app = base
	.route("/v1/health", healthRoutes)
	.route("/v1/tenants", tenantRoutes)
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
	description: "A tenant API key; `Authorization: Token <key>` is accepted too.",
});
app.openAPIRegistry.registerComponent("securitySchemes", "operator", {
	type: "http",
	scheme: "bearer",
	description: "The operator secret ADMIN_API_KEY.",
});
app.doc31("/openapi.json", {
	openapi: "3.1.0",
	info: { title: "Cohort API", version: "1.0.0", description: "Bulk import of users, companies and enrollments." },
});
app.get("/docs", swaggerUI({ url: "/openapi.json" }));
