import { describe, expect, it } from "vitest";
import { call, countRows, createTenant } from "../helpers";

type Result = {
	successful: number;
	failed: number;
	created: number;
	skipped: number;
	errors: { index: number; code: string; field?: string; error: string }[];
};

async function setup() {
	const t = await createTenant();
	const key = t.apiKey.key;
	await call("/v1/users/bulk", {
		method: "POST",
		key,
		json: { users: [{ externalId: "usr_alice_001", email: "alice@example.com" }, { externalId: "usr_bob_002" }] },
	});
	for (const [path, id] of [
		["courses", "crs_intro_api"],
		["learning-paths", "lp_onboarding"],
		["bundles", "bnd_all"],
	]) {
		const res = await call(`/v1/${path}/${id}`, { method: "PUT", key, json: { title: `Title of ${id}` } });
		expect(res.status).toBe(200);
	}
	return { ...t, key };
}

const enroll = async (key: string, enrollments: unknown[], path = "/v1/enrollments/bulk") => {
	const res = await call(path, { method: "POST", key, json: { enrollments } });
	return { status: res.status, body: await res.json<Result>() };
};

describe("POST /v1/enrollments/bulk", () => {
	it("the seed's enrollment request works as written and re-enrolling is skipped", async () => {
		const { key } = await setup();
		const seed = [
			{ userId: "usr_alice_001", courseId: "crs_intro_api", source: "bulk_import" },
			{ userId: "usr_bob_002", courseId: "crs_intro_api", source: "bulk_import" },
		];
		const first = await enroll(key, seed, "/incoming/v2/enrollments/bulk");
		expect(first.status).toBe(200);
		expect(first.body).toEqual({
			successful: 2,
			failed: 0,
			created: 2,
			updated: 0,
			unchanged: 0,
			skipped: 0,
			errors: [],
		});
		const again = await enroll(key, seed);
		expect(again.body).toMatchObject({ successful: 2, created: 0, skipped: 2 });
		const list = await (await call("/v1/users/usr_alice_001/enrollments", { key })).json<{ data: unknown[] }>();
		expect(list.data).toEqual([
			{ kind: "course", itemId: "crs_intro_api", source: "bulk_import", createdAt: expect.any(String) },
		]);
	});

	it("users by email, learning paths and bundles; unknown users and targets are NOT_FOUND alone", async () => {
		const { tenant, key } = await setup();
		const { body } = await enroll(key, [
			{ email: "ALICE@example.com", learningPathId: "lp_onboarding" },
			{ userId: "usr_bob_002", bundleId: "bnd_all" },
			{ userId: "ghost", courseId: "crs_intro_api" },
			{ user_id: "usr_bob_002", course_id: "crs_missing" },
			{ userId: "usr_bob_002", courseId: "crs_intro_api", bundleId: "bnd_all" },
			{ courseId: "crs_intro_api" },
		]);
		expect(body).toMatchObject({ successful: 2, created: 2, failed: 4 });
		expect(body.errors.map((e) => [e.index, e.code])).toEqual([
			[2, "NOT_FOUND"],
			[3, "NOT_FOUND"],
			[4, "VALIDATION_ERROR"],
			[5, "VALIDATION_ERROR"],
		]);
		expect(body.errors[0]).toMatchObject({ field: "userId", error: "User ghost not found" });
		expect(body.errors[1]).toMatchObject({ field: "course_id", error: "Course crs_missing not found" });
		expect(await countRows("enrollments", tenant.id)).toBe(2);
	});

	it("an enrollment naming another tenant's user or course is NOT_FOUND and writes nothing there", async () => {
		const a = await setup();
		const b = await createTenant("B");
		await call("/v1/courses/crs_b", { method: "PUT", key: b.apiKey.key, json: { title: "B course" } });
		const { body } = await enroll(b.apiKey.key, [
			{ userId: "usr_alice_001", courseId: "crs_b" },
			{ userId: "usr_alice_001", courseId: "crs_intro_api" },
		]);
		expect(body.errors.map((e) => e.code)).toEqual(["NOT_FOUND", "NOT_FOUND"]);
		expect(await countRows("enrollments", b.tenant.id)).toBe(0);
		expect(await countRows("enrollments", a.tenant.id)).toBe(0);
	});
});
