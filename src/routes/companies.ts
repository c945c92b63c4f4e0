import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { requireKey } from "../auth/middleware";
import { router } from "../context";
import { db } from "../db/client";
import { companies } from "../db/schema";
import { ApiError } from "../errors";
import { authErrors, jsonContent, notFound } from "../schemas/common";
import { Company, companyView } from "../schemas/views";

const tags = ["Companies"];

export const companyRoutes = router().openapi(
	createRoute({
		method: "get",
		path: "/{companyId}",
		tags,
		summary: "Get a company",
		security: [{ apiKey: [] }],
		middleware: [requireKey("viewer")] as const,
		request: { params: z.object({ companyId: z.string().min(1).max(255) }) },
		responses: { 200: jsonContent(Company, "The company"), ...authErrors, ...notFound },
	}),
	async (c) => {
		const { companyId } = c.req.valid("param");
		const [company] = await db(c.env)
			.select()
			.from(companies)
			.where(and(eq(companies.tenantId, c.get("tenantId")), eq(companies.companyId, companyId)));
		if (!company) throw new ApiError("NOT_FOUND", `Company ${companyId} not found`);
		return c.json(companyView(company), 200);
	},
);
