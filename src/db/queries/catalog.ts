import { and, asc, eq, gt } from "drizzle-orm";
import { type Db, inJson } from "../client";
import { type CatalogKind, catalogItems } from "../schema";

/** Creates the item or renames it; createdAt stays that of the first write. */
export async function upsertItem(
	database: Db,
	item: { tenantId: string; kind: CatalogKind; id: string; title: string },
	now: string,
) {
	const [row] = await database
		.insert(catalogItems)
		.values({ ...item, createdAt: now, updatedAt: now })
		.onConflictDoUpdate({
			target: [catalogItems.tenantId, catalogItems.kind, catalogItems.id],
			set: { title: item.title, updatedAt: now },
		})
		.returning();
	return row!;
}

/** Items of one kind in id order after the cursor `after`. */
export function listItems(
	database: Db,
	tenantId: string,
	kind: CatalogKind,
	{ after, limit }: { after?: string; limit: number },
) {
	return database
		.select()
		.from(catalogItems)
		.where(
			and(
				eq(catalogItems.tenantId, tenantId),
				eq(catalogItems.kind, kind),
				after !== undefined ? gt(catalogItems.id, after) : undefined,
			),
		)
		.orderBy(asc(catalogItems.id))
		.limit(limit);
}

/** Which of `ids` exist as items of `kind`. */
export async function existingItemIds(
	database: Db,
	tenantId: string,
	kind: CatalogKind,
	ids: readonly string[],
): Promise<Set<string>> {
	const rows = await database
		.select({ id: catalogItems.id })
		.from(catalogItems)
		.where(and(eq(catalogItems.tenantId, tenantId), eq(catalogItems.kind, kind), inJson(catalogItems.id, ids)));
	return new Set(rows.map((r) => r.id));
}
