import { hex } from "../auth/keys";
import { DELIVERY, outboundFetch } from "./outbound";
import { redactUrl } from "./url-guard";

const encoder = new TextEncoder();

/** Imported once per secret: a delivery loop signs thousands of messages with the same one. */
const keys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
	let key = keys.get(secret);
	if (!key) {
		if (keys.size >= 100) keys.clear();
		key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
		keys.set(secret, key);
	}
	return key;
}

/** `Cohort-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, as receivers verify it. */
export async function signature(secret: string, body: string, t = Math.floor(Date.now() / 1000)): Promise<string> {
	const key = await hmacKey(secret);
	return `t=${t},v1=${hex(await crypto.subtle.sign("HMAC", key, encoder.encode(`${t}.${body}`)))}`;
}

/**
 * POSTs a signed JSON payload carrying its delivery id, in the body (so the signature covers it) and
 * in `Cohort-Delivery-Id`: a receiver that sees an id again knows it is a re-send. Within the
 * delivery limits; anything but a 2xx answer throws, so the caller tries again. The answer's body is
 * never read.
 */
export async function postSigned(
	url: string,
	secret: string,
	deliveryId: string,
	payload: object,
	env: Env,
): Promise<void> {
	const body = JSON.stringify({ id: deliveryId, ...payload });
	const headers = {
		"Content-Type": "application/json",
		"Cohort-Delivery-Id": deliveryId,
		"Cohort-Signature": await signature(secret, body),
	};
	const res = await outboundFetch(url, env, { method: "POST", headers, body }, DELIVERY);
	await res.body?.cancel();
	if (!res.ok) throw new Error(`${redactUrl(url)} answered ${res.status}`);
}
