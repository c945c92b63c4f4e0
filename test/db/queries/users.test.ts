import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { records } from "../../../src/db/client";
import { findUser, listUsers, userEnrollments } from "../../../src/db/queries/users";
import { enrollments, users } from "../../../src/db/schema";

const written = { createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z", srcJob: "test", srcLine: 1 };

async function seedUsers(tenantId: string, emails: string[]) {
	const rows = emails.map((email, i) => ({
		tenantId,
		externalId: `u${i}`,
		email,
		emailLower: email.toLowerCase(),
		...written,
	}));
	return records(env, 0).insert(users).values(rows).returning();
}

describe("user queries", () => {
	it("pages users in id order after a cursor, and filters by email in any case", async () => {
		const database = records(env, 0);
		const seeded = await seedUsers("ten_list", ["A@x.com", "b@x.com", "c@x.com"]);
		await seedUsers("ten_other", ["a@x.com"]);
		const first = await listUsers(database, "ten_list", { limit: 2 });
		expect(first.map((u) => u.externalId)).toEqual(["u0", "u1"]);
		const rest = await listUsers(database, "ten_list", { after: first[1]!.id, limit: 2 });
		expect(rest.map((u) => u.externalId)).toEqual(["u2"]);
		const byEmail = await listUsers(database, "ten_list", { email: "a@X.COM", limit: 10 });
		expect(byEmail.map((u) => u.id)).toEqual([seeded[0]!.id]);
	});

	it("finds a user only in its own tenant", async () => {
		const database = records(env, 0);
		await seedUsers("ten_find", ["f@x.com"]);
		expect((await findUser(database, "ten_find", "u0"))?.email).toBe("f@x.com");
		expect(await findUser(database, "ten_elsewhere", "u0")).toBeUndefined();
	});

	it("lists a user's enrollments oldest first, then by item", async () => {
		const database = records(env, 0);
		const [user] = await seedUsers("ten_enr", ["e@x.com"]);
		const at = (day: number) => `2026-01-0${day}T00:00:00Z`;
		await database.insert(enrollments).values([
			{ tenantId: "ten_enr", userId: user!.id, kind: "course", itemId: "c2", createdAt: at(2) },
			{ tenantId: "ten_enr", userId: user!.id, kind: "license", itemId: "l1", createdAt: at(1) },
			{ tenantId: "ten_enr", userId: user!.id, kind: "course", itemId: "c1", createdAt: at(2) },
			{ tenantId: "ten_other", userId: user!.id, kind: "course", itemId: "x", createdAt: at(1) },
		]);
		const listed = await userEnrollments(database, "ten_enr", user!.id);
		expect(listed.map((e) => e.itemId)).toEqual(["l1", "c1", "c2"]);
		expect(listed[0]).toEqual({ kind: "license", itemId: "l1", source: null, createdAt: at(1) });
	});
});
