import { z } from "@hono/zod-openapi";
import { CATALOG_KINDS, type catalogItems, type companies, type users } from "../db/schema";
import { USER_STATUSES } from "./records";

type UserRow = typeof users.$inferSelect;
type CompanyRow = typeof companies.$inferSelect;
type CatalogRow = typeof catalogItems.$inferSelect;

const primitives = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const User = z
	.object({
		externalId: z.string().nullable(),
		email: z.string().nullable(),
		firstName: z.string().nullable(),
		lastName: z.string().nullable(),
		companyId: z.string().nullable(),
		role: z.string().nullable(),
		clientId: z.string().nullable(),
		customFields: z.record(z.string(), z.unknown()).nullable(),
		metadata: primitives.nullable(),
		status: z.enum(USER_STATUSES).openapi({ description: "inactive: a full sync's file lacked the user" }),
		createdAt: z.string(),
		updatedAt: z.string(),
	})
	.openapi("User");

export const userView = (u: UserRow): z.infer<typeof User> => ({
	externalId: u.externalId,
	email: u.email,
	firstName: u.firstName,
	lastName: u.lastName,
	companyId: u.companyId,
	role: u.role,
	clientId: u.clientId,
	customFields: u.customFields,
	metadata: u.metadata,
	status: u.status,
	createdAt: u.createdAt,
	updatedAt: u.updatedAt,
});

export const Company = z
	.object({
		companyId: z.string(),
		name: z.string().nullable(),
		metadata: primitives.nullable(),
		createdAt: z.string(),
		updatedAt: z.string(),
	})
	.openapi("Company");

export const companyView = (c: CompanyRow): z.infer<typeof Company> => ({
	companyId: c.companyId,
	name: c.name,
	metadata: c.metadata,
	createdAt: c.createdAt,
	updatedAt: c.updatedAt,
});

export const CatalogItem = z
	.object({
		id: z.string(),
		kind: z.enum(CATALOG_KINDS),
		title: z.string(),
		createdAt: z.string(),
		updatedAt: z.string(),
	})
	.openapi("CatalogItem");

export const catalogView = (i: CatalogRow): z.infer<typeof CatalogItem> => ({
	id: i.id,
	kind: i.kind,
	title: i.title,
	createdAt: i.createdAt,
	updatedAt: i.updatedAt,
});

export const Enrollment = z
	.object({ kind: z.enum(CATALOG_KINDS), itemId: z.string(), source: z.string().nullable(), createdAt: z.string() })
	.openapi("Enrollment");
