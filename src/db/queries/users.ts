import { and, asc, eq, gt } from "drizzle-orm";
import type { Db } from "../client";
import { enrollments, users } from "../schema";

/** Users in id order after the cursor `after`, optionally those with an email (any case). */
export function listUsers(
	database: Db,
	tenantId: string,
	{ email, after, limit }: { email?: string; after?: number; limit: number },
) {
	return database
		.select()
		.from(users)
		.where(
			and(
				eq(users.tenantId, tenantId),
				email !== undefined ? eq(users.emailLower, email.toLowerCase()) : undefined,
				after !== undefined ? gt(users.id, after) : undefined,
			),
		)
		.orderBy(asc(users.id))
		.limit(limit);
}

export async function findUser(database: Db, tenantId: string, externalId: string) {
	const [user] = await database
		.select()
		.from(users)
		.where(and(eq(users.tenantId, tenantId), eq(users.externalId, externalId)));
	return user;
}

/** A user's enrollments and license assignments, oldest first. */
export function userEnrollments(database: Db, tenantId: string, userId: number) {
	return database
		.select({
			kind: enrollments.kind,
			itemId: enrollments.itemId,
			source: enrollments.source,
			createdAt: enrollments.createdAt,
		})
		.from(enrollments)
		.where(and(eq(enrollments.tenantId, tenantId), eq(enrollments.userId, userId)))
		.orderBy(asc(enrollments.createdAt), asc(enrollments.itemId));
}
