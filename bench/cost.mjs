// What an import costs on Cloudflare, from the job's own `usage` (D1 rows as D1 reports them, R2 and
// queue operations as the service counts them): deterministic, whatever the machine's speed.

/** Workers Paid prices beyond the included amounts, in dollars per operation (developers.cloudflare.com, 2026-11). */
export const PRICES = {
	d1RowRead: 0.001 / 1e6,
	d1RowWritten: 1.0 / 1e6,
	r2ClassA: 4.5 / 1e6,
	r2ClassB: 0.36 / 1e6,
	queueOperation: 0.4 / 1e6,
	workerRequest: 0.3 / 1e6,
	durableObjectRequest: 0.15 / 1e6,
};

/**
 * The least each kind of import can cost per record: a new user is its row and an entry in each
 * of its two unique indexes, found absent by one read; a user sent again as stored needs its index
 * entry and row read and nothing written; a changed one its row rewritten. Per chunk of 5,000
 * records: one put and one get in R2, and one queue message (written, read, deleted).
 */
const FLOORS = {
	new: { d1RowsRead: 1, d1RowsWritten: 3 },
	unchanged: { d1RowsRead: 2, d1RowsWritten: 0 },
	"10% changed": { d1RowsRead: 2, d1RowsWritten: 0.1 },
};

/**
 * Per million records: each resource's amount and dollars, against its floor. Requests are not in
 * `usage`: one upload request and at most one consumer invocation per chunk reach a Worker, and
 * the tenant object takes the job and one report per chunk.
 */
export function costPerMillion(kind, job, records) {
	const u = job.usage;
	const chunks = u.queueOperations / 3;
	const perMillion = (v) => (v / records) * 1e6;
	const amounts = {
		d1RowsRead: perMillion(u.d1RowsRead),
		d1RowsWritten: perMillion(u.d1RowsWritten),
		r2ClassA: perMillion(u.r2ClassA),
		r2ClassB: perMillion(u.r2ClassB),
		queueOperations: perMillion(u.queueOperations),
		workerRequests: perMillion(1 + chunks),
		durableObjectRequests: perMillion(1 + chunks),
	};
	const floorChunks = Math.ceil(records / 5000);
	const floor = {
		d1RowsRead: FLOORS[kind].d1RowsRead * 1e6,
		d1RowsWritten: FLOORS[kind].d1RowsWritten * 1e6,
		r2ClassA: perMillion(floorChunks),
		r2ClassB: perMillion(floorChunks),
		queueOperations: perMillion(3 * floorChunks),
		workerRequests: perMillion(1 + floorChunks),
		durableObjectRequests: perMillion(1 + floorChunks),
	};
	const dollars = (a) =>
		a.d1RowsRead * PRICES.d1RowRead +
		a.d1RowsWritten * PRICES.d1RowWritten +
		a.r2ClassA * PRICES.r2ClassA +
		a.r2ClassB * PRICES.r2ClassB +
		a.queueOperations * PRICES.queueOperation +
		a.workerRequests * PRICES.workerRequest +
		a.durableObjectRequests * PRICES.durableObjectRequest;
	return {
		kind,
		records,
		counts: job.counts,
		usage: u,
		perMillion: amounts,
		floorPerMillion: floor,
		dollarsPerMillion: dollars(amounts),
		floorDollarsPerMillion: dollars(floor),
		rowsReadPerRecord: u.d1RowsRead / records,
		rowsWrittenPerRecord: u.d1RowsWritten / records,
		writtenVsFloor: FLOORS[kind].d1RowsWritten === 0 ? null : u.d1RowsWritten / records / FLOORS[kind].d1RowsWritten,
	};
}
