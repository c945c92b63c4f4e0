import { purgeExpiredJobs, sweepIntakes } from "./jobs/retention";
import { sweepWelcomes } from "./notify/sweep";
import { resumeMoves } from "./services/moves";
import { expireUploads } from "./services/uploads";

/** The cron expressions of wrangler.toml's `[triggers]`, each with its work. */
export const EVERY_MINUTE = "* * * * *";
export const HOURLY = "17 * * * *";

export async function handleScheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
	switch (controller.cron) {
		case EVERY_MINUTE:
			ctx.waitUntil(
				Promise.all([sweepWelcomes(env, controller.scheduledTime), resumeMoves(env, controller.scheduledTime)]),
			);
			return;
		case HOURLY:
			ctx.waitUntil(
				Promise.all([
					purgeExpiredJobs(env, controller.scheduledTime),
					expireUploads(env, controller.scheduledTime),
					sweepIntakes(env, controller.scheduledTime),
				]),
			);
			return;
		default:
			throw new Error(`No work for cron ${JSON.stringify(controller.cron)}`);
	}
}
