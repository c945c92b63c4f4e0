import { and, asc, eq, gt } from "drizzle-orm";
import type { Db } from "../client";
import { notifications } from "../schema";

/** Welcome messages in id (creation) order after the cursor `after`. */
export function listNotifications(database: Db, tenantId: string, { after, limit }: { after?: number; limit: number }) {
	return database
		.select()
		.from(notifications)
		.where(and(eq(notifications.tenantId, tenantId), after !== undefined ? gt(notifications.id, after) : undefined))
		.orderBy(asc(notifications.id))
		.limit(limit);
}
