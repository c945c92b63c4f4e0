const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

/**
 * Tests may connect to loopback only. Whatever the code under test fetches is checked here, so a
 * guard that lets an address through fails its test instead of reaching the network.
 */
export function fenceNetwork(): void {
	const realFetch = globalThis.fetch;
	globalThis.fetch = (input, init) => {
		const url = new URL(input instanceof Request ? input.url : String(input));
		if (!LOOPBACK.has(url.hostname)) return Promise.reject(new Error(`test fence: no connection to ${url.host}`));
		return realFetch(input, init);
	};
}
