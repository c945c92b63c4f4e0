/**
 * How long to wait before trying again something that has been failing for `failingFor` ms: as long
 * again (so the waits double: 1 s, 1 s, 2 s, 4 s, ...), at least 1 s and at most `maxMs`.
 */
export const backoff = (failingFor: number, maxMs: number) => Math.min(maxMs, Math.max(1_000, failingFor));
