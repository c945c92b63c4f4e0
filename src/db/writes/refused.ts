import { type SQL, sql } from "drizzle-orm";
import { type Db, runBatch } from "../client";
import type { Item } from "./types";

/** Fails whenever it runs, after the statements before it: a batch (one transaction) ending with it writes nothing. */
const ROLL_BACK = sql`SELECT abs(-9223372036854775807 - value) FROM json_each('[1]')`;
const ROLLED_BACK = "integer overflow";

/** SQLite refusing a statement for its data, as opposed to a database that is busy, gone or timing out. */
const DATA_ERROR = /SQLITE_(ERROR|CONSTRAINT|TOOBIG|MISMATCH|RANGE)\b/;

/** Rolled-back batches one isolation may run: one bad record among 5,000 takes about 26. */
const MAX_PROBES = 100;

const messageOf = (error: unknown) => `${(error as Error)?.message ?? error} ${(error as Error)?.cause ?? ""}`;

export function isDataError(error: unknown): boolean {
	return DATA_ERROR.test(messageOf(error));
}

type Probe = {
	database: Db;
	/** The statements that would write these items (planned afresh for each subset). */
	statements: (items: Item[]) => Promise<SQL[]>;
	/** A failure that is someone else's concurrent write, not the record's fault. */
	raced: (error: unknown) => boolean;
	probes: number;
};

/**
 * The records whose statements the database refuses (SQLite's JSON functions on data nested too
 * deeply, a constraint), found by bisection with batches that always roll back: a half that
 * writes is never split again, so one bad record among n costs about 2·log2(n) batches and
 * nothing is committed. Undefined when the refusal cannot be pinned on records (every part writes
 * alone) or takes more than MAX_PROBES batches; the caller then fails as it would have.
 */
export async function refusedRecords(
	database: Db,
	items: Item[],
	statements: Probe["statements"],
	raced: Probe["raced"],
): Promise<Item[] | undefined> {
	const probe: Probe = { database, statements, raced, probes: 0 };
	try {
		const refused = await bisect(probe, items);
		return refused.length > 0 ? refused : undefined;
	} catch (error) {
		if (error instanceof TooManyProbes) return undefined;
		throw error;
	}
}

class TooManyProbes extends Error {}

async function bisect(probe: Probe, items: Item[]): Promise<Item[]> {
	if (items.length === 0 || (await writes(probe, items))) return [];
	if (items.length === 1) return items;
	const mid = items.length >> 1;
	return [...(await bisect(probe, items.slice(0, mid))), ...(await bisect(probe, items.slice(mid)))];
}

async function writes(probe: Probe, items: Item[]): Promise<boolean> {
	const statements = await probe.statements(items);
	if (statements.length === 0) return true;
	if (++probe.probes > MAX_PROBES) throw new TooManyProbes();
	try {
		await runBatch(probe.database, [...statements, ROLL_BACK]);
	} catch (error) {
		if (messageOf(error).includes(ROLLED_BACK) || probe.raced(error)) return true;
		if (isDataError(error)) return false;
		throw error;
	}
	throw new Error("a probe batch committed although its last statement always fails");
}
