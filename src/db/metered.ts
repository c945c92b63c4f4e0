/** D1 rows a piece of work read and wrote, as D1 bills them: summed from each statement's result metadata. */
export type D1Usage = { rowsRead: number; rowsWritten: number };

export const noD1Usage = (): D1Usage => ({ rowsRead: 0, rowsWritten: 0 });

function count(usage: D1Usage, { meta }: D1Result): void {
	usage.rowsRead += meta.rows_read ?? 0;
	usage.rowsWritten += meta.rows_written ?? 0;
}

/** A statement that adds its result's rows to `usage`. `raw()` results carry no metadata and add nothing. */
class MeteredStatement {
	constructor(
		readonly inner: D1PreparedStatement,
		private readonly usage: D1Usage,
	) {}

	bind(...values: unknown[]) {
		return new MeteredStatement(this.inner.bind(...values), this.usage);
	}

	async all<T>() {
		const result = await this.inner.all<T>();
		count(this.usage, result);
		return result;
	}

	async run<T>() {
		const result = await this.inner.run<T>();
		count(this.usage, result);
		return result;
	}

	async first<T>(column?: string) {
		const { results } = await this.all<Record<string, unknown>>();
		const row = results[0];
		return (row === undefined ? null : column === undefined ? row : row[column]) as T | null;
	}

	raw(options?: { columnNames?: boolean }) {
		return this.inner.raw(options as { columnNames?: false });
	}
}

/**
 * The binding, with every statement and batch adding the rows it read and wrote to `usage`. The
 * binding's own statements go to its `batch`: it accepts no other kind.
 */
export function metered(binding: D1Database, usage: D1Usage): D1Database {
	const statement = (s: D1PreparedStatement) => (s instanceof MeteredStatement ? s.inner : s);
	const wrapper = {
		prepare: (query: string) => new MeteredStatement(binding.prepare(query), usage),
		batch: async <T>(statements: D1PreparedStatement[]) => {
			const results = await binding.batch<T>(statements.map(statement));
			for (const result of results) count(usage, result);
			return results;
		},
		exec: (query: string) => binding.exec(query),
		withSession: (constraint?: string) => binding.withSession(constraint),
		dump: () => binding.dump(),
	};
	return wrapper as unknown as D1Database;
}
