import type { RecordType } from "../../schemas/common";
import { companyRevert } from "./companies";
import { enrollmentRevert } from "./enrollments";
import type { Revert } from "./types";
import { userRevert } from "./users";

export { reactivate } from "./deactivations";
export { removeAssignments } from "./enrollments";
export type { UndoContext, UndoLine } from "./types";

/** How each record type's writes are undone and its previews checked, by name (like writes/kinds.ts). */
export const REVERTS = {
	users: userRevert,
	companies: companyRevert,
	enrollments: enrollmentRevert,
} satisfies Record<RecordType, Revert>;
