// The ceiling for upload intake: a Worker that only streams the request body into R2 in one put
// and answers with the time it was done. It runs on loopback, started by the benchmark alone; the
// app never ships it.
export default {
	async fetch(request, env) {
		if (request.method !== "PUT") return new Response("ready");
		await env.FILES.put(`bare/${crypto.randomUUID()}`, request.body);
		return Response.json({ doneAt: Date.now() }, { status: 201 });
	},
};
