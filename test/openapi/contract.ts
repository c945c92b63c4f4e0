import { exports } from "cloudflare:workers";
import { dereference, type Schema, validate } from "@cfworker/json-schema";

/*
 * Every response the tests receive through `call` is checked against /openapi.json as the Worker
 * renders it: the status is declared for the operation, the declared headers marked required are
 * there, the content type is a declared one, and JSON bodies (and each NDJSON line) match the schema.
 * A mismatch fails the test that made the request.
 */

type Header = { required?: boolean; $ref?: string };
type Media = { schema?: Schema };
type Response = { headers?: Record<string, Header>; content?: Record<string, Media> };
type Operation = { operationId: string; responses: Record<string, Response> };
export type OpenApiDocument = {
	paths: Record<string, Record<string, Operation>>;
	components: { schemas: Record<string, Schema>; headers: Record<string, Header> };
	webhooks?: Record<string, Record<string, Operation>>;
	servers?: { url: string }[];
};

const BASE = "https://cohort.test/openapi.json";

type Loaded = {
	doc: OpenApiDocument;
	lookup: Record<string, Schema | boolean>;
	routes: { method: string; path: RegExp; op: Operation }[];
};
let loaded: Promise<Loaded> | undefined;

/** The document the Worker serves, fetched once per test file, with its paths as patterns (literal segments first). */
export function served(): Promise<Loaded> {
	loaded ??= (async () => {
		const res = await exports.default.fetch(new Request("https://cohort.test/openapi.json"));
		const doc = await res.json<OpenApiDocument>();
		// Keeps an untouched copy for the tests that read the document; the validator annotates its own.
		const annotated = structuredClone(doc);
		const lookup = dereference({ ...annotated, $id: BASE } as unknown as Schema);
		const routes = Object.entries(annotated.paths)
			.sort(([a], [b]) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))
			.flatMap(([path, operations]) => {
				const pattern = new RegExp(`^${path.replace(/\{\w+\}/g, "[^/]+")}$`);
				return Object.entries(operations).map(([method, op]) => ({ method: method.toUpperCase(), path: pattern, op }));
			});
		return { doc, lookup, routes };
	})();
	return loaded;
}

function check(instance: unknown, schema: Schema, lookup: Record<string, Schema | boolean>): string | undefined {
	const result = validate(instance, schema, "2020-12", lookup, false);
	if (result.valid) return undefined;
	// The deepest errors say what is wrong; the outer ones only that something below failed.
	const errors = result.errors.slice(-3).map((e) => `${e.instanceLocation}: ${e.error}`);
	return errors.join("; ");
}

const mediaType = (res: globalThis.Response) => (res.headers.get("Content-Type") ?? "").split(";")[0]!.trim();

async function problems(method: string, url: URL, res: globalThis.Response): Promise<string[]> {
	const { doc, lookup, routes } = await served();
	const route = routes.find((r) => r.method === method && r.path.test(url.pathname));
	if (!route) {
		// Not an operation (an unknown path, the dashboard, the docs): an error must still be the envelope.
		if (res.status < 400 || mediaType(res) !== "application/json") return [];
		const wrong = check(await res.clone().json(), doc.components.schemas.Error!, lookup);
		return wrong ? [`${method} ${url.pathname} answered ${res.status} outside the envelope: ${wrong}`] : [];
	}
	const name = `${route.op.operationId} answered ${res.status}`;
	const declared = route.op.responses[String(res.status)] ?? route.op.responses.default;
	if (!declared) return [`${name}, which the document does not declare`];

	const found: string[] = [];
	for (const [header, spec] of Object.entries(declared.headers ?? {})) {
		const resolved = spec.$ref ? lookup[`${BASE}${spec.$ref}`] : spec;
		if ((resolved as Header | undefined)?.required && !res.headers.has(header)) found.push(`${name} without ${header}`);
	}
	if (!declared.content) {
		if (res.body !== null && (await res.clone().text()) !== "") found.push(`${name} with a body it does not declare`);
		return found;
	}
	const type = mediaType(res);
	const media = declared.content[type];
	if (!media) return [...found, `${name} as ${type || "(no type)"}, not ${Object.keys(declared.content).join(" or ")}`];
	if (!media.schema) return found;
	if (type === "application/json") {
		const wrong = check(await res.clone().json(), media.schema, lookup);
		if (wrong) found.push(`${name}: ${wrong}`);
	} else if (type === "application/x-ndjson") {
		const lines = (await res.clone().text()).split("\n").filter((line) => line !== "");
		for (const [i, line] of lines.entries()) {
			const wrong = check(JSON.parse(line), media.schema, lookup);
			if (wrong) found.push(`${name}, line ${i + 1}: ${wrong}`);
		}
	}
	return found;
}

/** Throws when the response is not what the document says the operation answers. */
export async function assertDocumented(request: Request, res: globalThis.Response): Promise<void> {
	const found = await problems(request.method, new URL(request.url), res);
	if (found.length > 0) throw new Error(`Response differs from /openapi.json: ${found.join(" | ")}`);
}
