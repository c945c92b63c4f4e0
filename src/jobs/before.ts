import type { BeforeImage } from "../db/writes/before";

/**
 * Puts a chunk's before-images (or a preview's fingerprints) where its ledger row will point, an
 * object per attempt as its results are: written before the D1 batch commits, so a committed chunk
 * always has them.
 */
export async function putBefore(env: Env, jobId: string, chunk: number, attempt: string, image: BeforeImage) {
	const key = `jobs/${jobId}/before/${chunk}.${attempt}`;
	await env.FILES.put(key, JSON.stringify(image), { httpMetadata: { contentType: "application/json" } });
	return key;
}

/** A chunk's before-images; an empty image when it has none (nothing touched, or its job is gone). */
export async function readBefore(env: Env, key: string | null | undefined): Promise<BeforeImage> {
	const object = key ? await env.FILES.get(key) : null;
	return object ? ((await object.json()) as BeforeImage) : { at: "", entries: [] };
}
