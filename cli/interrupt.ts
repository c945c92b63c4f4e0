import { EXIT } from "./output";

/**
 * Runs `handler` on the first Ctrl-C (or SIGTERM) so the command can stop cleanly; a second one
 * exits at once. Returns the function that removes the handler.
 */
export function onInterrupt(handler: () => void): () => void {
	let count = 0;
	const listener = () => {
		if (++count > 1) process.exit(EXIT.interrupted);
		handler();
	};
	process.on("SIGINT", listener);
	process.on("SIGTERM", listener);
	return () => {
		process.off("SIGINT", listener);
		process.off("SIGTERM", listener);
	};
}
