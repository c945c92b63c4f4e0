import { sql } from "drizzle-orm";
import { type Db, inJson } from "../client";
import { jobDeactivations, users } from "../schema";
import { leftByJob, type UndoContext, type UndoLine, type UndoPlan } from "./types";

type Deactivated = {
	id: number;
	externalId: string | null;
	email: string | null;
	status: string;
	updatedAt: string;
	srcJob: string;
};

/**
 * Undoes a full sync's last step: the users it made inactive are active again, with the
 * `updated_at`, `src_job` and `src_line` they had before it (kept in `job_deactivations`). A user
 * written by anything since is left as it is and reported. Its lines have no line number, as the
 * `deactivated` lines of the job's results have none.
 */
export async function reactivate(database: Db, ctx: UndoContext): Promise<UndoPlan> {
	const rows = await database.all<Deactivated>(sql`SELECT u.id, u.external_id AS externalId, u.email, u.status,
			u.updated_at AS updatedAt, u.src_job AS srcJob
		FROM ${jobDeactivations} d JOIN ${users} u ON u.id = d.user_id
		WHERE d.job_id = ${ctx.job} AND d.state = 'deactivated' ORDER BY d.user_id`);
	const lines: UndoLine[] = [];
	const restored: number[] = [];
	for (const row of rows) {
		const ids = { externalId: row.externalId ?? undefined, email: row.email ?? undefined };
		if (leftByJob(ctx, row) && row.status === "inactive") {
			restored.push(row.id);
			lines.push({ ...ids, outcome: "updated", action: "restored", changes: { status: ["inactive", "active"] } });
		} else {
			const error = `User ${row.externalId ?? row.email} changed after the job; it was left as it is`;
			lines.push({ ...ids, outcome: "skipped", code: "CONFLICT", error });
		}
	}
	const statements =
		restored.length === 0
			? []
			: [
					sql`UPDATE ${users} SET status = 'active', updated_at = coalesce(d.before_updated_at, ${users.updatedAt}),
						src_job = coalesce(d.before_src_job, ${users.srcJob}), src_line = coalesce(d.before_src_line, ${users.srcLine})
					FROM ${jobDeactivations} d
					WHERE d.job_id = ${ctx.job} AND d.user_id = ${users.id} AND ${inJson(users.id, restored)}
						AND ${users.srcJob} = ${ctx.job} AND ${users.status} = 'inactive'`,
				];
	return { lines, statements };
}
