// The system under test, started as `npm run dev` starts it (bench/server.mjs: local migrations,
// `wrangler dev` on free ports, its own state), and what the scenarios need from it through the API.
import { startServer } from "../../bench/server.mjs";

export { startServer };

/** 5,000 users as CSV; every 250th has a bad email, so 20 rows fail, on lines 251, 501, ..., 5001. */
export function usersCsv(prefix, rows = 5000, every = 250) {
	const lines = ["externalId,email,firstName,lastName"];
	const badLines = [];
	for (let i = 1; i <= rows; i++) {
		const bad = i % every === 0;
		if (bad) badLines.push(i + 1);
		lines.push(`${prefix}-${i},${bad ? `not-an-email-${i}` : `${prefix}-${i}@example.com`},First ${i},Last ${i}`);
	}
	return { csv: `${lines.join("\n")}\n`, badLines };
}

/** A client of the running system for one tenant: its super_admin key, an admin and a viewer key. */
export async function tenantClient(server, name) {
	const request = async (path, { key, method = "GET", json, body, headers = {} } = {}) => {
		const res = await fetch(`${server.base}${path}`, {
			method,
			headers: {
				...(key ? { Authorization: `Bearer ${key}` } : {}),
				...(json !== undefined ? { "Content-Type": "application/json" } : {}),
				...headers,
			},
			body: json !== undefined ? JSON.stringify(json) : body,
		});
		if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
		return res;
	};
	const created = await (
		await request("/v1/tenants", {
			key: server.adminKey,
			method: "POST",
			// The scenarios make many calls quickly; the default bucket would slow them, not test them.
			json: { name, limits: { burst: 10_000, requestsPerMinute: 10_000 } },
		})
	).json();
	const superKey = created.apiKey.key;
	const newKey = async (role) =>
		(await request("/v1/api-keys", { key: superKey, method: "POST", json: { name: `${role} key`, role } })).json();
	const [admin, viewer] = [await newKey("admin"), await newKey("viewer")];
	return {
		tenantId: created.tenant.id,
		admin,
		viewer,
		request: (path, options = {}) => request(path, { key: admin.key, ...options }),
		async setLimits(limits) {
			await request(`/v1/tenants/${created.tenant.id}`, { key: server.adminKey, method: "PATCH", json: { limits } });
		},
	};
}
