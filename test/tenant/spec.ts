import type { JobSpec } from "../../src/schemas/jobs";
import { ImportOptions } from "../../src/schemas/records";

/** A users import of tenant "t" with one chunk per entry of `records` (its record count), for the tenant object's parts. */
export function jobSpec(id: string, records: number[] = [1], extra: Partial<JobSpec> = {}): JobSpec {
	return {
		id,
		tenantId: "t",
		type: "users.import",
		description: id,
		recordType: "users",
		format: "ndjson",
		origin: "file",
		options: ImportOptions.parse({}),
		total: records.reduce((a, b) => a + b, 0),
		chunks: records.map((n, i) => ({ firstLine: i * n + 1, records: n })),
		...extra,
	};
}
