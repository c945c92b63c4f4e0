import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import worker from "../src/index";

it("a cron expression the service does not know is an error, not a silent no-op", async () => {
	const controller = createScheduledController({ cron: "0 0 * * *", scheduledTime: Date.now() });
	await expect(worker.scheduled(controller, env, createExecutionContext())).rejects.toThrow("No work for cron");
});
