const encoder = new TextEncoder();

export const ROLES = ["viewer", "admin", "super_admin"] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, minimum: Role): boolean {
	return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

function base64url(bytes: Uint8Array): string {
	return btoa(String.fromCharCode(...bytes))
		.replaceAll("+", "-")
		.replaceAll("/", "_")
		.replace(/=+$/, "");
}

export function randomId(prefix: string, bytes = 12): string {
	return `${prefix}_${base64url(crypto.getRandomValues(new Uint8Array(bytes)))}`;
}

/** A key is `ck_<keyId>.<secret>`: the id finds the row, the 256-bit secret is only ever stored hashed. */
export function newApiKey(): { id: string; secret: string; key: string } {
	const id = randomId("key", 9);
	const secret = base64url(crypto.getRandomValues(new Uint8Array(32)));
	return { id, secret, key: `ck_${id}.${secret}` };
}

export function parseApiKey(key: string): { id: string; secret: string } | undefined {
	const match = /^ck_(key_[\w-]+)\.([\w-]{43})$/.exec(key);
	return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

async function sha256(value: string): Promise<Uint8Array> {
	return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(value)));
}

export const hex = (bytes: ArrayBuffer | Uint8Array) =>
	[...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function hashSecret(secret: string): Promise<string> {
	return hex(await sha256(secret));
}

/** Compares digests, so neither length nor content of the secret leaks through timing. */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
	const [da, db] = await Promise.all([sha256(a), sha256(b)]);
	return crypto.subtle.timingSafeEqual(da, db);
}

export function bearerToken(header: string | undefined): string | undefined {
	const match = /^(?:Bearer|Token)\s+(\S+)\s*$/i.exec(header ?? "");
	return match?.[1];
}
