const encoder = new TextEncoder();

function fromHex(hex: string): Uint8Array | undefined {
	if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return undefined;
	return Uint8Array.from(hex.match(/../g)!, (byte) => Number.parseInt(byte, 16));
}

/**
 * Checks a `Cohort-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` header against the raw
 * body and the shared secret. The timestamp must be within `toleranceSeconds` of now, so a
 * captured delivery cannot be replayed later. The comparison is WebCrypto's, in constant time.
 */
export async function verifySignature(
	secret: string,
	header: string | null | undefined,
	body: string,
	{ toleranceSeconds = 300, now = Date.now() }: { toleranceSeconds?: number; now?: number } = {},
): Promise<boolean> {
	const fields = (header ?? "").split(",").map((part) => part.trim().split("="));
	const t = fields.find(([name]) => name === "t")?.[1];
	if (!t || !/^\d+$/.test(t) || Math.abs(now / 1000 - Number(t)) > toleranceSeconds) return false;
	const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
		"verify",
	]);
	for (const [name, value] of fields) {
		const mac = name === "v1" && value ? fromHex(value) : undefined;
		if (mac && (await crypto.subtle.verify("HMAC", key, mac, encoder.encode(`${t}.${body}`)))) return true;
	}
	return false;
}
