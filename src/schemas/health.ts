import { z } from "@hono/zod-openapi";

export const Health = z.object({ status: z.literal("ok"), time: z.string() }).openapi("Health");
