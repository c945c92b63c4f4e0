import { type SQL, sql } from "drizzle-orm";
import type { RecordType } from "../../schemas/common";
import type { ExportFilter } from "../../schemas/exports";
import type { Db } from "../client";
import { companies, enrollments, users } from "../schema";

type Row = Record<string, string | number | null>;
/** An import record: what `POST /v1/imports` takes back unchanged. */
export type ExportRecord = Record<string, unknown>;

type Source = {
	/** The rows, aliased `r`; `r.rowid` is the key pages are cut on. */
	from: SQL;
	select: SQL;
	where(tenantId: string, filter: ExportFilter): SQL[];
	/** The record type's JSON columns, whose keys become `custom.<key>` and `metadata.<key>` CSV columns. */
	groups: { column: string; prefix: string }[];
	record(row: Row): ExportRecord;
};

const json = (text: string | number | null | undefined) =>
	typeof text === "string" ? (JSON.parse(text) as object) : undefined;

/** The row's non-null fields under their record names: a field absent from an import keeps its stored value. */
function present(fields: Record<string, unknown>): ExportRecord {
	return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== undefined));
}

const TARGET_FIELDS: Record<string, string> = {
	course: "courseId",
	learningPath: "learningPathId",
	bundle: "bundleId",
};

const SOURCES: Record<RecordType, Source> = {
	users: {
		from: sql`${users} r`,
		select: sql`r.external_id AS externalId, r.email, r.first_name AS firstName, r.last_name AS lastName,
			r.company_id AS companyId, r.role, r.client_id AS clientId, r.status, r.custom_fields AS customFields, r.metadata`,
		where: (tenantId, filter) => [
			sql`r.tenant_id = ${tenantId}`,
			...(filter.updatedSince ? [sql`r.updated_at >= ${filter.updatedSince}`] : []),
			...(filter.companyId ? [sql`r.company_id = ${filter.companyId}`] : []),
			...(filter.status ? [sql`r.status = ${filter.status}`] : []),
		],
		groups: [
			{ column: "custom_fields", prefix: "custom" },
			{ column: "metadata", prefix: "metadata" },
		],
		record: ({ customFields, metadata, ...scalars }) =>
			present({ ...scalars, customFields: json(customFields), metadata: json(metadata) }),
	},
	companies: {
		from: sql`${companies} r`,
		select: sql`r.company_id AS companyId, r.name, r.metadata`,
		where: (tenantId, filter) => [
			sql`r.tenant_id = ${tenantId}`,
			...(filter.updatedSince ? [sql`r.updated_at >= ${filter.updatedSince}`] : []),
			...(filter.companyId ? [sql`r.company_id = ${filter.companyId}`] : []),
		],
		groups: [{ column: "metadata", prefix: "metadata" }],
		record: ({ metadata, ...scalars }) => present({ ...scalars, metadata: json(metadata) }),
	},
	enrollments: {
		from: sql`${enrollments} r JOIN ${users} u ON u.id = r.user_id`,
		select: sql`u.external_id AS userId, u.email, r.kind, r.item_id AS itemId, r.source`,
		where: (tenantId, filter) => [
			sql`r.tenant_id = ${tenantId}`,
			// License assignments come from bulkImport; an enrollment record cannot carry one.
			sql`r.kind != 'license'`,
			...(filter.updatedSince ? [sql`r.created_at >= ${filter.updatedSince}`] : []),
			...(filter.companyId ? [sql`u.company_id = ${filter.companyId}`] : []),
		],
		groups: [],
		// A user with an externalId is named by it alone, as imports resolve it.
		record: ({ userId, email, kind, itemId, source }) =>
			present({ userId, email: userId === null ? email : null, [TARGET_FIELDS[kind as string]!]: itemId, source }),
	},
};

const whereOf = (type: RecordType, tenantId: string, filter: ExportFilter) =>
	sql.join(SOURCES[type].where(tenantId, filter), sql` AND `);

/** The export's pages in row order: each page's last row id and its number of records. */
export function exportPages(
	database: Db,
	type: RecordType,
	tenantId: string,
	filter: ExportFilter,
	pageRows: number,
): Promise<{ last: number; records: number }[]> {
	const { from } = SOURCES[type];
	return database.all(sql`
		SELECT max(id) AS last, count(*) AS records FROM (
			SELECT r.rowid AS id, (row_number() OVER (ORDER BY r.rowid) - 1) / CAST(${pageRows} AS INTEGER) AS page
			FROM ${from} WHERE ${whereOf(type, tenantId, filter)})
		GROUP BY page ORDER BY page`);
}

/** The keys the exported records use in their JSON fields, as CSV columns (`custom.<key>`, `metadata.<key>`), sorted. */
export async function exportGroupColumns(
	database: Db,
	type: RecordType,
	tenantId: string,
	filter: ExportFilter,
): Promise<string[]> {
	const { from, groups } = SOURCES[type];
	if (groups.length === 0) return [];
	const selects = groups.map(
		({ column, prefix }) =>
			sql`SELECT DISTINCT ${prefix} AS prefix, j.key AS key FROM ${from}, json_each(r.${sql.raw(column)}) j
				WHERE ${whereOf(type, tenantId, filter)}`,
	);
	const rows = await database.all<{ prefix: string; key: string }>(sql.join(selects, sql` UNION `));
	const order = groups.map((g) => g.prefix);
	return rows
		.sort((a, b) => order.indexOf(a.prefix) - order.indexOf(b.prefix) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
		.map((r) => `${r.prefix}.${r.key}`);
}

/** One page of an export as import records, in row order: the rows with ids in (after, last]. */
export async function exportRecords(
	database: Db,
	type: RecordType,
	tenantId: string,
	filter: ExportFilter,
	after: number,
	last: number,
): Promise<ExportRecord[]> {
	const source = SOURCES[type];
	const rows = await database.all<Row>(sql`
		SELECT ${source.select} FROM ${source.from}
		WHERE r.rowid > ${after} AND r.rowid <= ${last} AND ${whereOf(type, tenantId, filter)}
		ORDER BY r.rowid`);
	return rows.map(source.record);
}
