import { app } from "./app";
import { dashboardRoutes } from "./dashboard/routes";
import { purgeExpiredJobs, sweepIntakes } from "./jobs/retention";
import { handleQueue } from "./queue";
import type { ChunkMessage, NotifyMessage } from "./schemas/messages";
import { expireUploads } from "./services/uploads";

export { OperatorGate } from "./auth/operator-gate";
export { TenantObject } from "./tenant/object";

// The dashboard is mounted here rather than in app.ts so that `AppType`, which clients type
// themselves with, describes the API alone and never pulls the dashboard's browser files in.
app.route("/app", dashboardRoutes);

export default {
	fetch: app.fetch,
	queue: handleQueue,
	async scheduled(controller, env, ctx) {
		ctx.waitUntil(
			Promise.all([
				purgeExpiredJobs(env, controller.scheduledTime),
				expireUploads(env, controller.scheduledTime),
				sweepIntakes(env, controller.scheduledTime),
			]),
		);
	},
} satisfies ExportedHandler<Env, ChunkMessage | NotifyMessage>;
