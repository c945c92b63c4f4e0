import { db } from "../db/client";
import { deleteMapping, findMapping, listMappings, type MappingRow, upsertMapping } from "../db/queries/mappings";
import { KINDS } from "../db/writes/kinds";
import { ApiError } from "../errors";
import { type ColumnMapping, didYouMean } from "../ingest/csv";
import { resolveColumn } from "../ingest/headers";
import type { RecordType } from "../schemas/common";
import type { MappingColumns, MappingProfile, MappingRef } from "../schemas/mappings";

const view = ({ name, type, columns, createdAt, updatedAt }: MappingRow): MappingProfile => ({
	name,
	type,
	columns,
	createdAt,
	updatedAt,
});

/** Every target must be a field of the type (by any spelling), `custom.<key>` or `metadata.<key>`. */
function checkTargets(type: RecordType, columns: MappingColumns, path: string): void {
	const bad = Object.entries(columns).filter(([, field]) => !resolveColumn(field, KINDS[type]));
	if (bad.length === 0) return;
	const details = bad.map(([header, field]) => ({
		path: `${path}.${header}`,
		message: `"${field}" is not a field of ${type}${didYouMean(field, KINDS[type])}`,
	}));
	throw new ApiError(
		"VALIDATION_ERROR",
		`Unknown field(s) in the mapping: ${details.map((d) => d.message).join("; ")}`,
		details,
	);
}

export async function saveMapping(
	env: Env,
	tenantId: string,
	name: string,
	input: { type: RecordType; columns: MappingColumns },
): Promise<MappingProfile> {
	checkTargets(input.type, input.columns, "columns");
	return view(await upsertMapping(db(env), { tenantId, name, ...input }, new Date().toISOString()));
}

export async function getMapping(env: Env, tenantId: string, name: string): Promise<MappingProfile> {
	const row = await findMapping(db(env), tenantId, name);
	if (!row) throw new ApiError("NOT_FOUND", `Mapping ${name} not found`);
	return view(row);
}

export async function allMappings(env: Env, tenantId: string): Promise<MappingProfile[]> {
	return (await listMappings(db(env), tenantId)).map(view);
}

export async function removeMapping(env: Env, tenantId: string, name: string): Promise<void> {
	if (!(await deleteMapping(db(env), tenantId, name))) throw new ApiError("NOT_FOUND", `Mapping ${name} not found`);
}

/**
 * The columns an import's `mapping` names: a saved profile of the import's type, or columns given
 * inline, checked the same way a profile is. Resolved when the import is asked for, so a profile
 * changed later does not change an upload already started.
 */
export async function resolveMapping(
	env: Env,
	tenantId: string,
	type: RecordType,
	ref: MappingRef | undefined,
): Promise<ColumnMapping | undefined> {
	if (ref === undefined) return undefined;
	if (typeof ref === "object") {
		checkTargets(type, ref, "mapping");
		return ref;
	}
	const row = await findMapping(db(env), tenantId, ref);
	const refuse = (message: string) => new ApiError("VALIDATION_ERROR", message, [{ path: "mapping", message }]);
	if (!row) throw refuse(`No mapping profile is named "${ref}"; save it with PUT /v1/mappings/${ref} first`);
	if (row.type !== type) throw refuse(`Mapping profile "${ref}" is for ${row.type}, not ${type}`);
	return row.columns;
}
