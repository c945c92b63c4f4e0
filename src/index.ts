import { app } from "./app";
import { dashboardRoutes } from "./dashboard/routes";
import { docsRoutes } from "./docs";
import { handleQueue } from "./queue";
import { handleScheduled } from "./scheduled";
import type { ChunkMessage, NotifyMessage } from "./schemas/messages";

export { OperatorGate } from "./auth/operator-gate";
export { TenantObject } from "./tenant/object";

// The dashboard is mounted here rather than in app.ts so that `AppType`, which clients type
// themselves with, describes the API alone and never pulls the dashboard's browser files in.
app.route("/app", dashboardRoutes);
app.route("/docs", docsRoutes);

export default {
	fetch: app.fetch,
	queue: handleQueue,
	scheduled: handleScheduled,
} satisfies ExportedHandler<Env, ChunkMessage | NotifyMessage>;
