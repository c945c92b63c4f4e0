// Deterministic, realistic user records: record i is the same in every format and every run.

const FIRST = [
	"Ada",
	"Grace",
	"Alan",
	"Linus",
	"Margaret",
	"Ken",
	"Barbara",
	"Dennis",
	"Frances",
	"Edsger",
	"Radia",
	"Tim",
	"Hedy",
	"John",
	"Katherine",
	"Niklaus",
];
const LAST = [
	"Lovelace",
	"Hopper",
	"Turing",
	"Torvalds",
	"Hamilton",
	"Thompson",
	"Liskov",
	"Ritchie",
	"Allen",
	"Dijkstra",
	"Perlman",
	"Berners-Lee",
	"Lamarr",
	"McCarthy",
	"Johnson",
	"Wirth",
];
const DEPARTMENTS = ["Sales", "Engineering", "Support", "Marketing", "Finance", "People", "Legal", "Operations"];
const TITLES = [
	"Account Executive",
	"Software Engineer",
	"Support Specialist",
	"Product Marketer",
	"Analyst",
	"Recruiter",
	"Counsel",
	"Manager",
];
const CSV_COLUMNS = [
	"externalId",
	"email",
	"firstName",
	"lastName",
	"companyId",
	"metadata.department",
	"metadata.title",
	"metadata.level",
	"metadata.active",
	"metadata.startDate",
];

const hash = (i) => Math.imul(i ^ 0x9e3779b9, 2654435761) >>> 0;
const pad = (n, w) => String(n).padStart(w, "0");

/** One user; `prefix` keeps the records of different runs apart. */
export function userRecord(i, prefix = "emp") {
	const h = hash(i);
	const first = FIRST[h % FIRST.length];
	const last = LAST[(h >>> 4) % LAST.length];
	const company = (h >>> 8) % 500;
	return {
		externalId: `${prefix}_${pad(i, 8)}`,
		email: `${first}.${last}.${i}@company-${company}.example`.toLowerCase(),
		firstName: first,
		lastName: last,
		companyId: `co_${pad(company, 4)}`,
		metadata: {
			department: DEPARTMENTS[(h >>> 12) % DEPARTMENTS.length],
			title: TITLES[(h >>> 16) % TITLES.length],
			level: (h >>> 20) % 7,
			active: (h & 7) !== 0,
			startDate: `20${pad(10 + ((h >>> 3) % 15), 2)}-${pad(1 + ((h >>> 7) % 12), 2)}-${pad(1 + ((h >>> 11) % 28), 2)}`,
		},
	};
}

function csvRow(u) {
	const m = u.metadata;
	return `${u.externalId},${u.email},${u.firstName},${u.lastName},${u.companyId},${m.department},${m.title},${m.level},${m.active},${m.startDate}\n`;
}

/** `n` records as one NDJSON buffer (small enough for the quick run to hold in memory). */
export function ndjsonBuffer(n, prefix) {
	const lines = new Array(n);
	for (let i = 0; i < n; i++) lines[i] = `${JSON.stringify(userRecord(i, prefix))}\n`;
	return Buffer.from(lines.join(""));
}

/** The same records with every `every`-th one's first name changed: what an update costs. */
export function changedNdjsonBuffer(n, prefix, every = 10) {
	const lines = new Array(n);
	for (let i = 0; i < n; i++) {
		const u = userRecord(i, prefix);
		if (i % every === 0) u.firstName = `${u.firstName}-2`;
		lines[i] = `${JSON.stringify(u)}\n`;
	}
	return Buffer.from(lines.join(""));
}

/** The same records as CSV with a header row (metadata as `metadata.<key>` columns). */
export function csvBuffer(n, prefix) {
	const rows = [`${CSV_COLUMNS.join(",")}\n`];
	for (let i = 0; i < n; i++) rows.push(csvRow(userRecord(i, prefix)));
	return Buffer.from(rows.join(""));
}

/**
 * At least `totalBytes` of NDJSON made while it is read, about 1 MiB per pull, so a file of any
 * size never sits in this process's memory. `stats.records`/`stats.bytes` count what was produced.
 */
export function ndjsonStream(totalBytes, prefix, stats = { records: 0, bytes: 0 }) {
	return new ReadableStream(
		{
			pull(controller) {
				if (stats.bytes >= totalBytes) return controller.close();
				const lines = [];
				let size = 0;
				while (size < 1 << 20 && stats.bytes + size < totalBytes) {
					const line = `${JSON.stringify(userRecord(stats.records++, prefix))}\n`;
					lines.push(line);
					size += line.length;
				}
				stats.bytes += size;
				controller.enqueue(Buffer.from(lines.join("")));
			},
		},
		{ highWaterMark: 2 },
	);
}
