/** Types of what the CLI tests use from build.mjs. */
export const BUNDLE: string;
export function isStale(): boolean;
export function bundle(): Promise<void>;
