import type { RecordType } from "../../schemas/common";
import { companyKind } from "./companies";
import { enrollmentKind } from "./enrollments";
import type { Kind, RecordSchema } from "./types";
import { userKind } from "./users";

/**
 * Every record type, by name. `satisfies` makes a name in `RecordType` without an entry here, or
 * an entry for a name it does not list, a compile error.
 */
export const KINDS = {
	users: userKind,
	companies: companyKind,
	enrollments: enrollmentKind,
} satisfies Record<RecordType, Kind<RecordSchema>>;
