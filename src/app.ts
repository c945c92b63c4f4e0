import { swaggerUI } from "@hono/swagger-ui";
import { requestId } from "hono/request-id";
import { router } from "./context";
import { dashboardRoutes } from "./dashboard/routes";
import { ApiError, renderError } from "./errors";
import { apiKeyRoutes } from "./routes/api-keys";
import { bulkRoutes } from "./routes/bulk";
import { bulkImportRoutes } from "./routes/bulk-import";
import { CATALOG_PATHS } from "./routes/catalog";
import { companyRoutes } from "./routes/companies";
import { healthRoutes } from "./routes/health";
import { importRoutes } from "./routes/imports";
import { jobRoutes } from "./routes/jobs";
import { notificationRoutes } from "./routes/notifications";
import { tenantRoutes } from "./routes/tenants";
import { uploadRoutes } from "./routes/uploads";
import { userRoutes } from "./routes/users";

export const app = router();

app.use(requestId());
app.onError(renderError);
app.notFound(() => {
	throw new ApiError("NOT_FOUND", "No such route");
});

app.route("/v1/health", healthRoutes);
app.route("/v1/tenants", tenantRoutes);
app.route("/v1/api-keys", apiKeyRoutes);
app.route("/v1/users", userRoutes);
app.route("/v1/companies", companyRoutes);
for (const [path, routes] of CATALOG_PATHS) app.route(path, routes);
app.route("/", bulkRoutes);
app.route("/", bulkImportRoutes);
app.route("/v1/imports", importRoutes);
app.route("/v1/uploads", uploadRoutes);
app.route("/", jobRoutes);
app.route("/", notificationRoutes);
app.route("/app", dashboardRoutes);

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
