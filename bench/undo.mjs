// Undo against the import it undoes, same size, same run: the import updates `updates` existing users
// and creates the rest; the undo restores the first and removes the others.
import { userRecord } from "./data.mjs";

const lines = (from, to, make) => {
	let text = "";
	for (let i = from; i < to; i++) text += `${JSON.stringify(make(i))}\n`;
	return Buffer.from(text);
};

export async function undoRun(api, { records, updates }) {
	const tenant = await api.createTenant("bench-undo");
	const timeoutMs = 120_000 + records * 2;
	const ndjson = "application/x-ndjson";
	const base = await api.upload(
		tenant.key,
		"type=users",
		lines(0, updates, (i) => userRecord(i, "un")),
		ndjson,
		timeoutMs,
	);
	await api.waitJob(tenant.key, base.job.id, { timeoutMs });
	const file = lines(0, records, (i) =>
		i < updates
			? { ...userRecord(i, "un"), firstName: `Changed${i}`, customFields: { undo: true } }
			: userRecord(i, "un"),
	);
	const up = await api.upload(tenant.key, "type=users", file, ndjson, timeoutMs);
	const imported = (await api.waitJob(tenant.key, up.job.id, { timeoutMs })).job;
	const importSeconds = (Date.parse(imported.completedAt) - up.startedAt) / 1000;

	const asked = Date.now();
	const undo = await api.call(tenant.key, "POST", `/v1/jobs/${imported.id}/undo`);
	if (undo.status !== 202) throw new Error(`undo: ${undo.status} ${undo.text.slice(0, 300)}`);
	const undone = (await api.waitJob(tenant.key, undo.json.id, { timeoutMs })).job;
	const undoSeconds = (Date.parse(undone.completedAt) - asked) / 1000;

	const problems = [];
	const first = await api.call(tenant.key, "GET", `/v1/users/${userRecord(0, "un").externalId}`);
	if (first.json?.firstName !== userRecord(0, "un").firstName) problems.push(`first user not restored: ${first.text}`);
	const created = await api.call(tenant.key, "GET", `/v1/users/${userRecord(records - 1, "un").externalId}`);
	if (created.status !== 404) problems.push(`a created user is still there (${created.status})`);
	if (undone.counts.updated !== records) problems.push(`undo counts ${JSON.stringify(undone.counts)}`);
	return {
		records,
		updates,
		import: {
			status: imported.status,
			counts: imported.counts,
			seconds: importSeconds,
			recordsPerSecond: records / importSeconds,
		},
		undo: {
			status: undone.status,
			counts: undone.counts,
			seconds: undoSeconds,
			recordsPerSecond: records / undoSeconds,
		},
		problems,
	};
}
