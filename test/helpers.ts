import { env, exports } from "cloudflare:workers";

export const OPERATOR_KEY = "test-operator-key";

export function call(path: string, init: RequestInit & { key?: string; json?: unknown } = {}): Promise<Response> {
	const { key, json, ...rest } = init;
	const headers = new Headers(rest.headers);
	if (key) headers.set("Authorization", `Bearer ${key}`);
	if (json !== undefined) headers.set("Content-Type", "application/json");
	return exports.default.fetch(
		new Request(`https://cohort.test${path}`, {
			...rest,
			headers,
			body: json !== undefined ? JSON.stringify(json) : rest.body,
		}),
	);
}

export async function createTenant(name = "Acme", limits?: Record<string, number>) {
	const res = await call("/v1/tenants", { method: "POST", key: OPERATOR_KEY, json: { name, limits } });
	if (res.status !== 201) throw new Error(`tenant creation failed: ${res.status} ${await res.text()}`);
	return (await res.json()) as {
		tenant: { id: string; name: string; limits: Record<string, number> };
		apiKey: { id: string; key: string; role: string };
	};
}

export async function createKey(superKey: string, role: "viewer" | "admin" | "super_admin", name: string = role) {
	const res = await call("/v1/api-keys", { method: "POST", key: superKey, json: { name, role } });
	if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${await res.text()}`);
	return (await res.json()) as { id: string; key: string; role: string };
}

/** Rows of one tenant in a table: D1 is shared by the tests of a file, tenants are not. */
export async function countRows(table: "users" | "companies" | "enrollments" | "notifications", tenantId: string) {
	const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = ?`).bind(tenantId).first<{ n: number }>();
	return row!.n;
}
