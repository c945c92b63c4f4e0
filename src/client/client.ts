import { type ClientResponse, hc, type InferResponseType } from "hono/client";
import type { SuccessStatusCode } from "hono/utils/http-status";
import type { AppType } from "./app-type";
import { CohortError } from "./errors";
import { type RetryPolicy, retryingFetch } from "./retry";

export type ClientOptions = {
	/** Where the API is, e.g. https://cohort.example.com or http://localhost:8787. */
	baseUrl: string;
	/** A tenant API key, or the operator key for tenant management. */
	key?: string;
	/** Retries of requests whose body can be sent again; `{ attempts: 1 }` turns them off. */
	retry?: RetryPolicy;
	fetch?: typeof fetch;
};

/** The typed client of the whole API: `client.v1.jobs[":id"].$get({ param: { id } })`. */
export function createClient(options: ClientOptions) {
	return hc<AppType>(options.baseUrl, {
		headers: options.key ? { Authorization: `Bearer ${options.key}` } : {},
		fetch: retryingFetch(options.fetch ?? fetch, options.retry),
	});
}

export type Client = ReturnType<typeof createClient>;
export type Job = InferResponseType<Client["v1"]["jobs"][":id"]["$get"], 200>;

type Success<R> =
	R extends ClientResponse<infer T, infer S, infer _> ? (S extends SuccessStatusCode ? T : never) : never;

/** The body of a successful answer, typed by its route; any error answer throws a CohortError. */
export async function ok<R extends ClientResponse<unknown, number, string>>(pending: Promise<R>): Promise<Success<R>> {
	const res = await pending;
	if (!res.ok) throw await CohortError.from(res as unknown as Response);
	return (await res.json()) as Success<R>;
}

/** A successful answer as a plain Response (for streamed bodies); an error answer throws a CohortError. */
export async function okResponse(pending: Promise<ClientResponse<unknown, number, string>>): Promise<Response> {
	const res = (await pending) as unknown as Response;
	if (!res.ok) throw await CohortError.from(res);
	return res;
}
