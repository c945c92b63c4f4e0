declare namespace Cloudflare {
	interface Env {
		TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
		TEST_SHARD_MIGRATIONS: import("cloudflare:test").D1Migration[];
	}
}

/** Vite's file import, which the shard test uses to read the sources (workerd has no file system). */
interface ImportMeta {
	glob<T>(pattern: string, options: { query: string; import: string; eager: true }): Record<string, T>;
}
