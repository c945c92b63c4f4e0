import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import { jobChunks } from "../schema";
import type { FieldChanges } from "./before";
import type { WriteContext } from "./types";

type JsonObject = Record<string, unknown>;

/**
 * `customFields` and `metadata` as an identify call treats them (spec §4): the sent keys merged
 * into the stored object, a key sent as null removed; with `replaceFields` the sent object whole.
 */
function mergeFields(stored: JsonObject | null, sent: JsonObject, replace: boolean): JsonObject {
	if (replace) return sent;
	const merged: JsonObject = { ...stored };
	for (const [key, value] of Object.entries(sent)) {
		if (value === null) delete merged[key];
		else merged[key] = value;
	}
	return merged;
}

/** The same merge in SQL, over the stored column and the sent object's JSON text, so it reads the row it writes. */
export function mergedColumn(column: SQL, sent: SQL, replace: boolean): SQL {
	if (replace) return sql`coalesce(${sent}, ${column})`;
	// `->` keeps each value's JSON text (booleans, nested objects, number spellings); json() restores it as JSON.
	return sql`CASE WHEN ${sent} IS NULL THEN ${column} ELSE (SELECT json_group_object(key, json(j)) FROM (
		SELECT key, ${column} -> fullkey AS j FROM json_each(${column}) WHERE key NOT IN (SELECT key FROM json_each(${sent}))
		UNION ALL SELECT key, ${sent} -> fullkey FROM json_each(${sent}) WHERE type != 'null')) END`;
}

/** Equal as JSON values, whatever the order of object keys. */
function sameJson(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
	if (Array.isArray(a) !== Array.isArray(b)) return false;
	const ka = Object.keys(a);
	const kb = Object.keys(b);
	return (
		ka.length === kb.length &&
		ka.every((k) => Object.hasOwn(b, k) && sameJson((a as JsonObject)[k], (b as JsonObject)[k]))
	);
}

/** A stored JSON column as an object (null when empty). */
const storedObject = (text: string | null): JsonObject | null =>
	text === null ? null : (JSON.parse(text) as JsonObject);

/**
 * What writing `record` would change in the stored row: each scalar field it carries that differs,
 * and each key of a JSON field it carries whose merged value differs from the stored one. Empty
 * when the record equals what is stored.
 */
export function changes<R extends JsonObject>(
	row: { [F in keyof R]?: unknown },
	record: R,
	scalars: readonly (keyof R & string)[],
	objects: readonly (keyof R & string)[],
	replace: boolean,
): FieldChanges {
	const diff: FieldChanges = {};
	for (const field of scalars) {
		const after = record[field];
		if (after !== undefined && after !== row[field]) diff[field] = [row[field] ?? null, after];
	}
	for (const field of objects) {
		const sent = record[field] as JsonObject | undefined;
		if (sent === undefined) continue;
		const stored = storedObject(row[field] as string | null) ?? {};
		const merged = mergeFields(stored, sent, replace);
		for (const key of new Set([...Object.keys(stored), ...Object.keys(merged)])) {
			if (!sameJson(stored[key], merged[key])) diff[`${field}.${key}`] = [stored[key] ?? null, merged[key] ?? null];
		}
	}
	return diff;
}

/**
 * The record without the JSON fields that would merge into what is stored: the UPDATE then keeps
 * those columns as they are instead of merging in SQL, where D1 bills each JSON key it walks as a row read.
 */
export function withoutUnchangedObjects<R extends JsonObject>(
	record: R,
	diff: FieldChanges,
	objects: readonly (keyof R & string)[],
): R {
	const kept = { ...record };
	const changed = Object.keys(diff);
	for (const field of objects) if (!changed.some((key) => key.startsWith(`${field}.`))) delete kept[field];
	return kept;
}

/** Drops the keys sent as null from a new record's object, as merging into nothing would. */
export const createdFields = <T extends JsonObject>(sent: T | undefined, replace: boolean): T | undefined =>
	sent === undefined || replace ? sent : (mergeFields(null, sent, false) as T);

/**
 * Of `keys`, those a later chunk of the same job found unchanged: that later line is the one that
 * counts, so an earlier line must not overwrite the row. Only chunks already written can claim.
 */
export async function claimedLater(database: Db, ctx: WriteContext, keys: string[]): Promise<Set<string>> {
	if (ctx.chunk === undefined || keys.length === 0) return new Set();
	const rows = await database.all<{ key: string }>(sql`
		SELECT DISTINCT c.value AS key FROM ${jobChunks} j, json_each(j.claims) c
		WHERE j.job_id = ${ctx.source} AND j.chunk > ${ctx.chunk} AND j.claims IS NOT NULL
		AND c.value IN (SELECT value FROM json_each(${JSON.stringify(keys)}))`);
	return new Set(rows.map((r) => r.key));
}
