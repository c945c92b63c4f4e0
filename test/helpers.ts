import { env, exports } from "cloudflare:workers";
import type { Role } from "../src/auth/keys";
import { shardDatabases } from "../src/db/client";
import { tenantShard } from "../src/db/placement";
import type { Usage } from "../src/schemas/jobs";
import { assertDocumented } from "./openapi/contract";

export const OPERATOR_KEY = "test-operator-key-0123456789abcdef";

/** A request into the Worker; its answer must be one that /openapi.json documents (test/openapi/contract.ts). */
export async function call(path: string, init: RequestInit & { key?: string; json?: unknown } = {}): Promise<Response> {
	const { key, json, ...rest } = init;
	const headers = new Headers(rest.headers);
	if (key) headers.set("Authorization", `Bearer ${key}`);
	if (json !== undefined) headers.set("Content-Type", "application/json");
	const request = new Request(`https://cohort.test${path}`, {
		...rest,
		headers,
		body: json !== undefined ? JSON.stringify(json) : rest.body,
	});
	return checkedFetch(request);
}

/** The Worker's fetch, with its answer checked against the document. */
export async function checkedFetch(request: Request): Promise<Response> {
	const res = await exports.default.fetch(request);
	await assertDocumented(request, res);
	return res;
}

export async function createTenant(name = "Acme", limits?: Record<string, number>) {
	const res = await call("/v1/tenants", { method: "POST", key: OPERATOR_KEY, json: { name, limits } });
	if (res.status !== 201) throw new Error(`tenant creation failed: ${res.status} ${await res.text()}`);
	return (await res.json()) as {
		tenant: { id: string; name: string; limits: Record<string, number> };
		apiKey: { id: string; key: string; role: string };
	};
}

export async function createKey(superKey: string, role: Role, name: string = role) {
	const res = await call("/v1/api-keys", { method: "POST", key: superKey, json: { name, role } });
	if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${await res.text()}`);
	return (await res.json()) as { id: string; key: string; role: string };
}

/** The D1 database of a tenant's record shard; an id that names no tenant has its records on shard 0. */
export async function shardOf(tenantId: string): Promise<D1Database> {
	return shardDatabases(env)[await tenantShard(env, tenantId)]!;
}

/** Record shard 0, where the writes of a tenant id that names no tenant go. */
export const firstShard = (): D1Database => shardDatabases(env)[0]!;

/** Rows of one tenant in a table: D1 is shared by the tests of a file, tenants are not. */
export async function countRows(table: "users" | "companies" | "enrollments" | "notifications", tenantId: string) {
	const row = await (await shardOf(tenantId))
		.prepare(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = ?`)
		.bind(tenantId)
		.first<{ n: number }>();
	return row!.n;
}

export type JobView = {
	id: string;
	type: string;
	status: string;
	errorMessage: string | null;
	position?: number;
	dryRun: boolean;
	counts: {
		total: number;
		processed: number;
		created: number;
		updated: number;
		unchanged: number;
		skipped: number;
		failed: number;
	};
	links: { self: string; errors: string };
	usage: Usage;
};

export async function upload(key: string, query: string, body: BodyInit, headers: Record<string, string>) {
	return call(`/v1/imports?${query}`, { method: "POST", key, body, headers });
}

/** Polls a job until it ends, checking on every look that its counts add up. */
export async function waitForJob(key: string, id: string, timeoutMs = 60_000): Promise<JobView> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const job = await (await call(`/v1/jobs/${id}`, { key })).json<JobView>();
		const c = job.counts;
		if (c.processed !== c.created + c.updated + c.unchanged + c.skipped + c.failed)
			throw new Error(`counts do not add up: ${JSON.stringify(c)}`);
		if (["completed", "failed", "cancelled"].includes(job.status)) return job;
		if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}: ${JSON.stringify(c)}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/** A binding whose `method` works `calls` times and then fails, as a process killed at that point would stop. */
export function failingAfter<T extends object>(binding: T, method: keyof T, calls: number): T {
	let made = 0;
	return new Proxy(binding, {
		get(target, prop) {
			const value = Reflect.get(target, prop);
			if (typeof value !== "function") return value;
			if (prop !== method) return value.bind(target);
			return (...args: unknown[]) => {
				if (++made > calls) throw new Error(`stopped at ${String(prop)} #${made}`);
				return value.apply(target, args);
			};
		},
	});
}
