import { z } from "@hono/zod-openapi";

export const CompanyIdParam = z.object({ companyId: z.string().min(1).max(255) });
