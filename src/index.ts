import { app } from "./app";
import { purgeExpiredJobs } from "./jobs/retention";

import { handleQueue } from "./queue";
import type { ChunkMessage, NotifyMessage } from "./schemas/messages";
import { expireUploads } from "./services/uploads";

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
