import { type Db, db, records } from "../db/client";
import type { TenantShard } from "../db/placement";
import { beforeImages } from "../db/queries/jobs";
import { lastSwitch } from "../db/queries/moves";
import { REVERTS } from "../db/revert";
import type { BeforeEntry } from "../db/writes/before";
import { ApiError, type ErrorDetail } from "../errors";
import { readBefore } from "../jobs/before";
import type { Job, JobSpec } from "../schemas/jobs";
import { author } from "./create-job";
import { orRefuse, tenantObject } from "./tenant";

/** Preview chunks checked at once against the stored rows. */
const PARALLEL = 4;

async function endedJob(env: Env, tenantId: string, id: string, action: string) {
	const tenant = tenantObject(env, tenantId);
	const [job, spec] = await Promise.all([tenant.getJob(id), tenant.getJobSpec(id)]);
	if (!job || !spec) throw new ApiError("NOT_FOUND", `Job ${id} not found`);
	if (job.status === "pending" || job.status === "processing") {
		throw new ApiError("CONFLICT", `Job ${id} is still ${job.status}; ${action} it once it has ended`);
	}
	const switched = await lastSwitch(db(env), tenantId);
	if (switched && job.completedAt && job.completedAt < switched) {
		throw new ApiError(
			"CONFLICT",
			`Job ${id} ended before this tenant's records moved to another shard (${switched}), which gave them new row ids; its ${action} would not find them`,
		);
	}
	return { tenant, job, spec };
}

/** A job made from another one has a fixed id, so two requests racing to make it make one job. */
async function refuseSecond(tenant: ReturnType<typeof tenantObject>, id: string, what: string) {
	if (await tenant.getJob(id)) throw new ApiError("CONFLICT", `${what} already: see job ${id}`);
}

/**
 * The preview's records whose outcome may differ now: the rows it read (updated or unchanged)
 * were written since, or an identity it would create exists. A few batched reads per chunk.
 */
async function staleRecords(env: Env, database: Db, tenantId: string, spec: JobSpec): Promise<BeforeEntry[]> {
	const chunks = (await beforeImages(database, spec.id)).filter((c) => c.key !== null);
	const stale: BeforeEntry[] = [];
	for (let i = 0; i < chunks.length; i += PARALLEL) {
		const found = await Promise.all(
			chunks.slice(i, i + PARALLEL).map(async (c) => {
				const image = await readBefore(env, c.key);
				return REVERTS[spec.recordType].stale(database, tenantId, image.entries);
			}),
		);
		stale.push(...found.flat());
	}
	return stale;
}

const SHOWN = 5;

function staleError(spec: JobSpec, stale: BeforeEntry[]): ApiError {
	const refName = spec.origin === "json" ? "index" : "line";
	const name = (e: BeforeEntry) => `${refName} ${e.ref} (${e.externalId ?? e.email})`;
	const details: ErrorDetail[] = stale.map((e) => ({
		path: `${refName} ${e.ref}`,
		message: `${e.externalId ?? e.email} was written since the preview; its outcome may differ`,
	}));
	const more = stale.length > SHOWN ? ` and ${stale.length - SHOWN} more` : "";
	return new ApiError(
		"CONFLICT",
		`The stored data changed since preview ${spec.id} for ${stale.length} of its records: ${stale.slice(0, SHOWN).map(name).join(", ")}${more}. Preview the file again`,
		details,
	);
}

/**
 * Runs a completed preview (a dry-run job) for real over the chunks it left in R2, as a new job
 * (`commitOf` names the preview); refused when a record it would touch was written since.
 */
export async function commitJob(env: Env, { tenantId, shard }: TenantShard, id: string): Promise<Job> {
	const { tenant, job, spec } = await endedJob(env, tenantId, id, "commit");
	if (!spec.options.dryRun) throw new ApiError("CONFLICT", `Job ${id} is not a preview (dryRun); it ran already`);
	if (job.status !== "completed") {
		throw new ApiError("CONFLICT", `Preview ${id} is ${job.status}; only a completed preview can be committed`);
	}
	const commitId = `${id}-commit`;
	await refuseSecond(tenant, commitId, `Preview ${id} was committed`);
	const stale = await staleRecords(env, records(env, shard), tenantId, spec);
	if (stale.length > 0) throw staleError(spec, stale);
	const chunks = await tenant.getJobChunks(id);
	const commit: JobSpec = {
		...spec,
		id: commitId,
		description: `Commit of preview ${id}: ${spec.description}`,
		options: { ...spec.options, dryRun: false },
		chunks,
		commitOf: id,
		...author(),
	};
	return orRefuse<Job>(await tenant.submitJob(commit, "queue"));
}

/**
 * A job that puts back what an ended job wrote, from its chunks' before-images: `<type>.undo`, one
 * chunk per chunk of the job, through the same queue and ledger as an import.
 */
export async function undoJob(env: Env, { tenantId, shard }: TenantShard, id: string): Promise<Job> {
	const { tenant, job, spec } = await endedJob(env, tenantId, id, "undo");
	if (spec.undoOf) throw new ApiError("CONFLICT", `Job ${id} is an undo, which cannot be undone`);
	if (spec.options.dryRun) throw new ApiError("CONFLICT", `Job ${id} is a preview (dryRun); it wrote nothing`);
	const undoId = `${id}-undo`;
	await refuseSecond(tenant, undoId, `Job ${id} was undone`);
	const [chunks, images] = await Promise.all([tenant.getJobChunks(id), beforeImages(records(env, shard), id)]);
	// A full sync's last step is a chunk too: undoing it re-activates the users it deactivated.
	const rows = new Map(images.map((c) => [c.chunk, c.rows + c.deactivated]));
	// Not a full sync itself: the undo job has no last step of its own.
	const { sync: _sync, maxDeactivate: _max, ...options } = spec.options;
	const undo: JobSpec = {
		id: undoId,
		tenantId,
		type: `${spec.recordType}.undo`,
		description: `Undo of job ${id}: ${spec.description}`,
		recordType: spec.recordType,
		format: spec.format,
		origin: spec.origin,
		options,
		total: images.reduce((n, c) => n + c.rows + c.deactivated, 0),
		chunks: chunks.map((c, i) => ({ firstLine: c.firstLine, records: rows.get(i) ?? 0 })),
		undoOf: { job: id, endedAt: job.completedAt! },
		...author(),
	};
	return orRefuse<Job>(await tenant.submitJob(undo, "queue"));
}
