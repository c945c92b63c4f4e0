import { z } from "@hono/zod-openapi";
import { IfBusy, RecordType } from "./common";
import { MappingRef, MappingText } from "./mappings";
import { Id, MaxDeactivate } from "./records";

const bool = z.enum(["true", "false"]).transform((v) => v === "true");

/** A file import's record type, how it waits for a busy tenant, and its options as `true`/`false` strings. */
export const ImportQuery = z.object({
	type: RecordType,
	ifBusy: IfBusy.default("queue"),
	upsert: bool.optional(),
	skipExisting: bool.optional(),
	skipDuplicates: bool.optional(),
	sendWelcomeEmail: bool.optional(),
	dryRun: bool.optional(),
	replaceFields: bool.optional(),
	requireExternalId: bool.optional(),
	inviteMessage: z.string().max(10_000).optional(),
	mapping: MappingText.optional(),
	sync: z.enum(["incremental", "full"]).optional(),
	maxDeactivate: z.coerce.number().pipe(MaxDeactivate).optional(),
});

/** The seed sends one id as a plain string where the table says an array: take both. */
const ids = z
	.union([Id, z.array(Id).max(1000)])
	.transform((v) => (typeof v === "string" ? [v] : v))
	.optional();

/** A URL import (bulkImport): the CSV at `url`, and what every imported user gets. */
export const BulkImportBody = z
	.strictObject({
		url: z.string().min(1).max(2048),
		inviteMessage: z.string().max(10_000).optional(),
		bundleIds: ids,
		courseIds: ids,
		learningPathIds: ids,
		licenseIds: ids,
		clientId: z.string().max(255).optional(),
		role: z.string().max(64).optional(),
		dryRun: z.boolean().optional(),
		mapping: MappingRef.optional(),
		sync: z.enum(["incremental", "full"]).optional(),
		maxDeactivate: MaxDeactivate.optional(),
	})
	.openapi("BulkImportRequest");
export type BulkImportBody = z.output<typeof BulkImportBody>;
