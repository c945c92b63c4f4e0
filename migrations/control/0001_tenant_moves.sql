CREATE TABLE `tenant_moves` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`from_shard` integer NOT NULL,
	`to_shard` integer NOT NULL,
	`phase` text NOT NULL,
	`shift` integer NOT NULL,
	`cursor` text,
	`pass_changes` integer DEFAULT 0 NOT NULL,
	`rows_copied` integer DEFAULT 0 NOT NULL,
	`rows_deleted` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` text NOT NULL,
	`switched_at` text,
	`completed_at` text,
	`heartbeat` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tenant_moves_tenant` ON `tenant_moves` (`tenant_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `tenants` ADD `writes_paused_until` integer;