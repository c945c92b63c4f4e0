import { hex } from "../auth/keys";
import { DELIVERY, outboundFetch } from "./outbound";
import { redactUrl } from "./url-guard";

const encoder = new TextEncoder();

/** `Cohort-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, as receivers verify it. */
export async function signature(secret: string, body: string, t = Math.floor(Date.now() / 1000)): Promise<string> {
	const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
		"sign",
	]);
	return `t=${t},v1=${hex(await crypto.subtle.sign("HMAC", key, encoder.encode(`${t}.${body}`)))}`;
}

/**
 * POSTs a signed JSON payload within the delivery limits; anything but a 2xx answer throws, so the
 * queue retries it. The answer's body is never read.
 */
export async function postSigned(url: string, secret: string, payload: unknown, env: Env): Promise<void> {
	const body = JSON.stringify(payload);
	const headers = { "Content-Type": "application/json", "Cohort-Signature": await signature(secret, body) };
	const res = await outboundFetch(url, env, { method: "POST", headers, body }, DELIVERY);
	await res.body?.cancel();
	if (!res.ok) throw new Error(`${redactUrl(url)} answered ${res.status}`);
}
