/** Types of what TypeScript test setups use from server.mjs. */
export type RunningSystem = {
	base: string;
	adminKey: string;
	stop(options?: { keepState?: boolean }): Promise<void>;
};
export function startServer(options?: {
	readyTimeoutMs?: number;
	log?: (...args: unknown[]) => void;
}): Promise<RunningSystem>;
