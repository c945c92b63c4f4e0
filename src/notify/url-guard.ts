import { ApiError } from "../errors";

const PRIVATE_V4 = [
	/^10\./,
	/^127\./,
	/^0\./,
	/^169\.254\./,
	/^192\.168\./,
	/^172\.(1[6-9]|2\d|3[01])\./,
	/^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
];
const PRIVATE_NAMES = /^(localhost|.*\.localhost|.*\.local|.*\.internal|.*\.lan)$/i;

/** Private, loopback and link-local hosts, by name or literal address (IPv4, IPv6, mapped IPv4). */
export function isPrivateHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
	if (PRIVATE_NAMES.test(host)) return true;
	if (PRIVATE_V4.some((r) => r.test(host))) return true;
	if (!host.includes(":")) return false;
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
	if (mapped) return isPrivateHost(mapped[1]!);
	return host === "::" || host === "::1" || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
}

/**
 * Refuses URLs the service must not fetch on a tenant's behalf. The Workers runtime cannot resolve
 * names, so a public name that resolves to a private address is left to the platform's own
 * outbound rules; literal addresses and local names are refused here.
 */
export function assertFetchable(raw: string, env: Env): URL {
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new ApiError("VALIDATION_ERROR", `Not a URL: ${raw}`, [{ path: "url", message: "invalid URL" }]);
	}
	if (url.protocol !== "http:" && url.protocol !== "https:") {
		throw new ApiError("VALIDATION_ERROR", `Only http and https URLs are accepted, not ${url.protocol}`, [
			{ path: "url", message: "unsupported scheme" },
		]);
	}
	if (!env.ALLOW_PRIVATE_IMPORT_URLS && isPrivateHost(url.hostname)) {
		throw new ApiError(
			"VALIDATION_ERROR",
			`Refusing to fetch ${url.hostname}: private, loopback and link-local addresses are not allowed`,
			[{ path: "url", message: "private address" }],
		);
	}
	return url;
}

/** Fetches with redirects followed by hand, so every hop is checked again. */
export async function guardedFetch(raw: string, env: Env, init: RequestInit = {}, hops = 5): Promise<Response> {
	let url = assertFetchable(raw, env);
	for (let hop = 0; ; hop++) {
		const res = await fetch(url, { ...init, redirect: "manual" });
		const location = res.headers.get("Location");
		if (res.status < 300 || res.status >= 400 || !location) return res;
		if (hop >= hops) throw new ApiError("VALIDATION_ERROR", `More than ${hops} redirects from ${raw}`);
		url = assertFetchable(new URL(location, url).toString(), env);
	}
}
