import { z } from "@hono/zod-openapi";
import { ROLES } from "../auth/keys";

const positiveInt = z.number().int().positive();

export const TenantLimits = z
	.strictObject({
		burst: positiveInt.max(100_000).optional(),
		requestsPerMinute: positiveInt.max(1_000_000).optional(),
		recordsPerMinute: positiveInt.optional(),
	})
	.openapi("TenantLimits");
export type TenantLimits = z.infer<typeof TenantLimits>;

export const Tenant = z
	.object({
		id: z.string(),
		name: z.string(),
		createdAt: z.string(),
		limits: TenantLimits,
		shard: z.number().int().openapi({ description: "The record shard holding the tenant's records" }),
	})
	.openapi("Tenant");

export const CreateTenant = z.strictObject({
	name: z.string().trim().min(1).max(200),
	limits: TenantLimits.optional(),
	shard: z
		.number()
		.int()
		.min(0)
		.optional()
		.openapi({ description: "The record shard to place the tenant on; by default the least-loaded one" }),
});

export const UpdateTenant = z.strictObject({ limits: TenantLimits });

const Role = z.enum(ROLES);

export const ApiKey = z
	.object({ id: z.string(), name: z.string(), role: Role, createdAt: z.string(), revokedAt: z.string().nullable() })
	.openapi("ApiKey");

export const CreatedApiKey = z
	.object({ id: z.string(), name: z.string(), role: Role, key: z.string(), createdAt: z.string() })
	.openapi("CreatedApiKey");

export const CreateApiKey = z.strictObject({ name: z.string().trim().min(1).max(200), role: Role });

export const CreatedTenant = z
	.object({ tenant: Tenant, apiKey: CreatedApiKey.pick({ id: true, key: true, role: true }) })
	.openapi("CreatedTenant");
