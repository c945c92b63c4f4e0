import { hex, secretsEqual } from "../auth/keys";

/** What a signed link downloads, and where: a job's reports, or an export's file. */
export type Download = "results" | "errors" | "file";
const PATHS: Record<Download, string> = { results: "jobs", errors: "jobs", file: "exports" };
type Target = { tenantId: string; jobId: string; download: Download };

const encoder = new TextEncoder();
const TTL_SECONDS = 3600;

async function hmac(secret: string, text: string): Promise<string> {
	const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
		"sign",
	]);
	return hex(await crypto.subtle.sign("HMAC", key, encoder.encode(text)));
}

const signed = (env: Env, { tenantId, jobId, download }: Target, expires: number) =>
	hmac(env.DOWNLOAD_SIGNING_KEY, `${tenantId}\n${jobId}\n${download}\n${expires}`);

/**
 * An absolute link to a job's results or errors, or an export's file, that works without a key for an hour (spec §9).
 * The expiry is whole minutes, so a job's view, and its event stream, change once a minute at most.
 */
export async function signedLink(env: Env, baseUrl: string, target: Target, now = Date.now()): Promise<string> {
	const expires = Math.floor(now / 60_000) * 60 + TTL_SECONDS;
	const query = new URLSearchParams({
		tenant: target.tenantId,
		expires: String(expires),
		signature: await signed(env, target, expires),
	});
	return `${baseUrl}/v1/${PATHS[target.download]}/${encodeURIComponent(target.jobId)}/${target.download}?${query}`;
}

/** Whether a link's signature is the service's own for this target and it has not expired. */
export async function validLink(
	env: Env,
	target: Target,
	expires: string | undefined,
	signature: string | undefined,
	now = Date.now(),
): Promise<boolean> {
	if (!expires || !/^\d{1,12}$/.test(expires) || Number(expires) * 1000 <= now || !signature) return false;
	return secretsEqual(signature, await signed(env, target, Number(expires)));
}
