import type { WriteContext } from "../../../src/db/writes";
import { ImportOptions } from "../../../src/schemas/records";

/** A write as a job (`source` a job id, refs its lines) or a request would make it. */
export const writeContext = (tenantId: string, source: string, options: object = {}): WriteContext => ({
	tenantId,
	source,
	options: ImportOptions.parse(options),
	now: new Date().toISOString(),
});
