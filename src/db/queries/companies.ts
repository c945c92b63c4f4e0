import { and, eq } from "drizzle-orm";
import type { Db } from "../client";
import { companies } from "../schema";

export async function findCompany(database: Db, tenantId: string, companyId: string) {
	const [company] = await database
		.select()
		.from(companies)
		.where(and(eq(companies.tenantId, tenantId), eq(companies.companyId, companyId)));
	return company;
}
