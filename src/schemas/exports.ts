import { z } from "@hono/zod-openapi";
import { FileFormat, RecordType } from "./common";
import { Id } from "./records";

/** Which records an export takes; every condition given must hold. */
export const ExportFilter = z
	.strictObject({
		status: z.enum(["active", "inactive"]).optional().openapi({ description: "Users only." }),
		updatedSince: z.iso
			.datetime({ offset: true })
			.transform((v) => new Date(v).toISOString())
			.optional()
			.openapi({
				description:
					"Records written at or after this time (an enrollment's creation, since enrollments never change).",
			}),
		companyId: Id.optional().openapi({ description: "Users of this company, their enrollments, or this company." }),
	})
	.openapi("ExportFilter");
export type ExportFilter = z.output<typeof ExportFilter>;

export const ExportRequest = z
	.strictObject({ type: RecordType, format: FileFormat, filter: ExportFilter.optional() })
	.openapi("ExportRequest");
export type ExportRequest = z.output<typeof ExportRequest>;

/**
 * What every step of an export job reads, stored once next to its parts (`jobs/<id>/export/plan`):
 * page i holds the records whose row id is in (pages[i-1].last, pages[i].last], `records` of them
 * when the export was planned; `header` is the CSV header row, which the download sends first.
 */
export const ExportPlan = z.object({
	type: RecordType,
	format: FileFormat,
	filter: ExportFilter,
	header: z.array(z.string()),
	pages: z.array(z.object({ last: z.number().int(), records: z.number().int() })),
});
export type ExportPlan = z.infer<typeof ExportPlan>;

export const exportPlanKey = (jobId: string) => `jobs/${jobId}/export/plan`;
export const exportPartKey = (jobId: string, page: number) => `jobs/${jobId}/export/parts/${page}`;

/** Export jobs are typed `<records>.export`. */
export const isExportJob = (type: string) => type.endsWith(".export");
