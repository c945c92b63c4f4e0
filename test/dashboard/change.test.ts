import { describe, expect, it } from "vitest";
import { call, createKey, createTenant, waitForJob } from "../helpers";

const ORIGIN = "https://cohort.test";

/** A tenant with one user, and sessions of its admin and viewer keys, as the dashboard holds them. */
async function tenantWithSessions() {
	const { apiKey } = await createTenant();
	const sessions: Record<string, Record<string, string>> = {};
	for (const role of ["admin", "viewer"] as const) {
		const { key } = await createKey(apiKey.key, role);
		const res = await call("/app/session", {
			method: "POST",
			body: new URLSearchParams({ key }),
			headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
			redirect: "manual",
		});
		sessions[role] = { Cookie: (res.headers.get("Set-Cookie") ?? "").split(";")[0]!, Origin: ORIGIN };
	}
	await call("/v1/users/bulk", {
		method: "POST",
		key: apiKey.key,
		json: { users: [{ externalId: "u1", firstName: "Ann" }] },
	});
	return { key: apiKey.key, admin: sessions.admin!, viewer: sessions.viewer! };
}

/** What the job page's buttons send: a POST with the session cookie, this origin and an Idempotency-Key. */
const press = (path: string, headers: Record<string, string>) =>
	call(path, { method: "POST", headers: { ...headers, "Idempotency-Key": crypto.randomUUID() } });

const preview = async (key: string, body: string) => {
	const res = await call("/v1/imports?type=users&dryRun=true", {
		method: "POST",
		key,
		body,
		headers: { "Content-Type": "application/x-ndjson" },
	});
	return waitForJob(key, (await res.json<{ id: string }>()).id);
};

describe("change control from a dashboard session", () => {
	it("an admin's session commits a preview, then undoes the commit; the job pages link them", async () => {
		const { key, admin } = await tenantWithSessions();
		const dry = await preview(key, `${JSON.stringify({ externalId: "u1", firstName: "Anna" })}\n`);
		const results = await (await call(`/v1/jobs/${dry.id}/results`, { key })).text();
		expect(JSON.parse(results)).toMatchObject({ outcome: "updated", changes: { firstName: ["Ann", "Anna"] } });

		const commit = await press(`/v1/jobs/${dry.id}/commit`, admin);
		expect(commit.status).toBe(202);
		const committed = await waitForJob(key, `${dry.id}-commit`);
		expect(committed.counts.updated).toBe(1);
		expect((await (await call("/v1/users/u1", { key })).json<{ firstName: string }>()).firstName).toBe("Anna");
		// The page of the preview finds its commit by the fixed id, as change.js looks it up.
		expect((await call(`/v1/jobs/${dry.id}-commit`, { headers: { Cookie: admin.Cookie! } })).status).toBe(200);

		expect((await press(`/v1/jobs/${committed.id}/undo`, admin)).status).toBe(202);
		await waitForJob(key, `${committed.id}-undo`);
		expect((await (await call("/v1/users/u1", { key })).json<{ firstName: string }>()).firstName).toBe("Ann");
	});

	it("a commit refused because the data changed comes back in the API's words, naming the record", async () => {
		const { key, admin } = await tenantWithSessions();
		const dry = await preview(key, `${JSON.stringify({ externalId: "u1", firstName: "Anna" })}\n`);
		await call("/v1/users/bulk", { method: "POST", key, json: { users: [{ externalId: "u1", firstName: "Bea" }] } });
		const res = await press(`/v1/jobs/${dry.id}/commit`, admin);
		expect(res.status).toBe(409);
		const { error } = await res.json<{ error: { code: string; message: string; details: { path: string }[] } }>();
		expect(error.code).toBe("CONFLICT");
		expect(error.message).toContain("line 1 (u1)");
		expect(error.details.map((d) => d.path)).toEqual(["line 1"]);
	});

	it("a viewer's session can neither commit, undo nor export", async () => {
		const { key, viewer } = await tenantWithSessions();
		const dry = await preview(key, `${JSON.stringify({ externalId: "u1", firstName: "Anna" })}\n`);
		for (const path of [`/v1/jobs/${dry.id}/commit`, `/v1/jobs/${dry.id}/undo`]) {
			expect((await press(path, viewer)).status).toBe(403);
		}
		const exported = await call("/v1/exports", {
			method: "POST",
			json: { type: "users", format: "csv" },
			headers: { ...viewer, "Idempotency-Key": crypto.randomUUID() },
		});
		expect(exported.status).toBe(403);
	});
});
