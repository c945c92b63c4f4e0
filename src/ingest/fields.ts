import type { RecordType } from "../schemas/records";

export type { RecordType };

type RecordFields = {
	/** Canonical field name -> the aliases accepted for it (spec §4). */
	fields: Record<string, readonly string[]>;
	customFields: boolean;
	metadata: boolean;
};

export const RECORD_FIELDS: Record<RecordType, RecordFields> = {
	users: {
		fields: {
			externalId: ["userId", "user_id"],
			email: [],
			firstName: ["first_name"],
			lastName: ["last_name"],
			companyId: ["company_id"],
			role: [],
			clientId: ["client_id"],
		},
		customFields: true,
		metadata: true,
	},
	companies: {
		fields: { companyId: ["company_id"], name: [] },
		customFields: false,
		metadata: true,
	},
	enrollments: {
		fields: {
			userId: ["user_id", "externalId"],
			email: [],
			courseId: ["course_id"],
			learningPathId: ["learning_path_id"],
			bundleId: ["bundle_id"],
			source: [],
		},
		customFields: false,
		metadata: false,
	},
};
