import type { findKey } from "../db/queries/api-keys";

type KeyRow = NonNullable<Awaited<ReturnType<typeof findKey>>>;

/** A tenant has a handful of keys; more than this many distinct ids means someone is guessing. */
const MAX_KEYS = 1000;

/**
 * The tenant's key rows (with its limits and shard) as the control database last gave them, held
 * in memory so a request is authenticated without a read. Every write to a key or its tenant
 * calls `forget` before it answers, so the next request reads the row again: a revocation is
 * refused on the very next request.
 */
export class KeyCache {
	private readonly rows = new Map<string, KeyRow>();
	/** Counts forgets, so a read that began before one does not put back what it forgot. */
	private generation = 0;

	constructor(private readonly load: (id: string) => Promise<KeyRow | undefined>) {}

	async get(id: string): Promise<KeyRow | undefined> {
		const cached = this.rows.get(id);
		if (cached) return cached;
		const generation = this.generation;
		const row = await this.load(id);
		if (row && generation === this.generation) {
			if (this.rows.size >= MAX_KEYS) this.rows.clear();
			this.rows.set(id, row);
		}
		return row;
	}

	forget(): void {
		this.rows.clear();
		this.generation++;
	}
}
