import type { JobStatus } from "../schemas/jobs";

/*
 * How the tenant object moves a job and its chunks (one function per arrow: jobs.ts, dispatch.ts).
 *
 *   job     submit ──► pending ──start──► processing ──complete──► completed
 *                        │                   │
 *                        ├───────fail────────┴───────fail───────► failed
 *                        └──────cancel───────┴──────cancel──────► cancelled
 *
 *   chunk   add ──► waiting ──send──► queued ──report──► done
 *                     │                 └─ sent again when due: it stalled, or its send failed
 *                     └──job ended──► abandoned ──report──► done
 *
 * Only the one processing job has chunks sent. It completes when its last chunk reports. A chunk
 * that reports after its job ended is counted all the same: its records were written. A full sync
 * has one chunk more, its last step (deactivation), sent once all the others have reported.
 */

export const PENDING = "pending" satisfies JobStatus;
export const PROCESSING = "processing" satisfies JobStatus;
export const COMPLETED = "completed" satisfies JobStatus;
export const FAILED = "failed" satisfies JobStatus;
export const CANCELLED = "cancelled" satisfies JobStatus;

export type ChunkState = "waiting" | "queued" | "done" | "abandoned";
export const WAITING = "waiting" satisfies ChunkState;
export const QUEUED = "queued" satisfies ChunkState;
export const DONE = "done" satisfies ChunkState;
export const ABANDONED = "abandoned" satisfies ChunkState;

/** A chunk that is not part of the file but a step of its job after the file. */
export type ChunkStep = "deactivate";
