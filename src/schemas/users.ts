import { z } from "@hono/zod-openapi";
import { list, PageQuery, page } from "./common";
import { Enrollment, User } from "./views";

export const ExternalIdParam = z.object({ externalId: z.string().min(1).max(255) });

export const UserQuery = PageQuery.extend({
	email: z.string().optional().openapi({ description: "Only the user with this email (any case)" }),
});

export const UserPage = page(User);
export const EnrollmentList = list(Enrollment);
