import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../client";
import { mappingProfiles } from "../control-schema";

export type MappingRow = typeof mappingProfiles.$inferSelect;

/** Creates or replaces a profile; a replaced one keeps its createdAt. */
export async function upsertMapping(
	database: Db,
	row: Omit<MappingRow, "createdAt" | "updatedAt">,
	now: string,
): Promise<MappingRow> {
	const [saved] = await database
		.insert(mappingProfiles)
		.values({ ...row, createdAt: now, updatedAt: now })
		.onConflictDoUpdate({
			target: [mappingProfiles.tenantId, mappingProfiles.name],
			set: { type: row.type, columns: row.columns, updatedAt: now },
		})
		.returning();
	return saved!;
}

export async function findMapping(database: Db, tenantId: string, name: string): Promise<MappingRow | undefined> {
	const [row] = await database
		.select()
		.from(mappingProfiles)
		.where(and(eq(mappingProfiles.tenantId, tenantId), eq(mappingProfiles.name, name)));
	return row;
}

export function listMappings(database: Db, tenantId: string): Promise<MappingRow[]> {
	return database
		.select()
		.from(mappingProfiles)
		.where(eq(mappingProfiles.tenantId, tenantId))
		.orderBy(asc(mappingProfiles.name));
}

/** True when there was a profile to delete. */
export async function deleteMapping(database: Db, tenantId: string, name: string): Promise<boolean> {
	const deleted = await database
		.delete(mappingProfiles)
		.where(and(eq(mappingProfiles.tenantId, tenantId), eq(mappingProfiles.name, name)))
		.returning({ name: mappingProfiles.name });
	return deleted.length > 0;
}
