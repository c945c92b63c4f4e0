import { app } from "./app";

export { TenantObject } from "./tenant/object";

export default {
	fetch: app.fetch,
} satisfies ExportedHandler<Env>;
