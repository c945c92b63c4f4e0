CREATE TABLE `chunk_failures` (
	`job_id` text NOT NULL,
	`chunk` integer NOT NULL,
	`attempts` integer NOT NULL,
	`error` text NOT NULL,
	PRIMARY KEY(`job_id`, `chunk`)
);
--> statement-breakpoint
CREATE TABLE `notify_leases` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`until` integer NOT NULL
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_idempotency_keys` (
	`tenant_id` text NOT NULL,
	`key` text NOT NULL,
	`route` text NOT NULL,
	`body_hash` text NOT NULL,
	`status` integer,
	`headers` text,
	`body` text,
	`created_at` integer NOT NULL,
	`holder` text,
	`lease_until` integer,
	PRIMARY KEY(`tenant_id`, `key`)
);
--> statement-breakpoint
INSERT OR IGNORE INTO `__new_idempotency_keys`("tenant_id", "key", "route", "body_hash", "status", "headers", "body", "created_at") SELECT "tenant_id", "key", "route", "body_hash", "status", "headers", "body", "created_at" FROM `idempotency_keys`;--> statement-breakpoint
DROP TABLE `idempotency_keys`;--> statement-breakpoint
ALTER TABLE `__new_idempotency_keys` RENAME TO `idempotency_keys`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `idempotency_keys_age` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
ALTER TABLE `notifications` ADD `claimed_until` integer;--> statement-breakpoint
ALTER TABLE `notifications` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `notifications` ADD `failed_at` text;--> statement-breakpoint
CREATE INDEX `notifications_pending` ON `notifications` (`tenant_id`,`id`) WHERE "notifications"."delivered_at" IS NULL AND "notifications"."failed_at" IS NULL;