import { app } from "./app";
import { purgeExpiredJobs } from "./jobs/retention";
import { expireUploads } from "./jobs/uploads";
import type { NotifyMessage } from "./notify/deliver";
import { handleQueue } from "./queue";
import type { ChunkMessage } from "./schemas/jobs";

export { OperatorGate } from "./auth/operator-gate";
export { TenantObject } from "./tenant/object";

export default {
	fetch: app.fetch,
	queue: handleQueue,
	async scheduled(controller, env, ctx) {
		ctx.waitUntil(
			Promise.all([purgeExpiredJobs(env, controller.scheduledTime), expireUploads(env, controller.scheduledTime)]),
		);
	},
} satisfies ExportedHandler<Env, ChunkMessage | NotifyMessage>;
