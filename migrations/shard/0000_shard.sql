CREATE TABLE `catalog_items` (
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`id` text NOT NULL,
	`title` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `kind`, `id`)
);
--> statement-breakpoint
CREATE TABLE `chunk_failures` (
	`job_id` text NOT NULL,
	`chunk` integer NOT NULL,
	`attempts` integer NOT NULL,
	`error` text NOT NULL,
	PRIMARY KEY(`job_id`, `chunk`)
);
--> statement-breakpoint
CREATE TABLE `companies` (
	`id` integer PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`company_id` text NOT NULL,
	`name` text,
	`metadata` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`src_job` text NOT NULL,
	`src_line` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `companies_company_id` ON `companies` (`tenant_id`,`company_id`);--> statement-breakpoint
CREATE TABLE `enrollments` (
	`tenant_id` text NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`item_id` text NOT NULL,
	`source` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `user_id`, `kind`, `item_id`)
);
--> statement-breakpoint
CREATE TABLE `job_chunks` (
	`job_id` text NOT NULL,
	`chunk` integer NOT NULL,
	`created` integer NOT NULL,
	`updated` integer NOT NULL,
	`unchanged` integer DEFAULT 0 NOT NULL,
	`skipped` integer NOT NULL,
	`failed` integer NOT NULL,
	`results` text,
	`claims` text,
	`before` text,
	`before_rows` integer DEFAULT 0 NOT NULL,
	`deactivated` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`job_id`, `chunk`)
);
--> statement-breakpoint
CREATE TABLE `job_deactivations` (
	`job_id` text NOT NULL,
	`user_id` integer NOT NULL,
	`state` text NOT NULL,
	PRIMARY KEY(`job_id`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `job_errors` (
	`job_id` text NOT NULL,
	`ref` integer NOT NULL,
	`code` text NOT NULL,
	`field` text,
	`column` text,
	`error` text NOT NULL,
	`raw` text,
	`truncated` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`job_id`, `ref`)
);
--> statement-breakpoint
CREATE TABLE `job_seen` (
	`job_id` text NOT NULL,
	`user_id` integer NOT NULL,
	PRIMARY KEY(`job_id`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `job_syncs` (
	`job_id` text PRIMARY KEY NOT NULL,
	`attempt` text NOT NULL,
	`active` integer NOT NULL,
	`candidates` integer NOT NULL,
	`allowed` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`email` text,
	`external_id` text,
	`invite_message` text,
	`created_at` text NOT NULL,
	`delivered_at` text,
	`claimed_until` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`failed_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_once` ON `notifications` (`tenant_id`,`user_id`,`kind`);--> statement-breakpoint
CREATE INDEX `notifications_tenant` ON `notifications` (`tenant_id`,`id`);--> statement-breakpoint
CREATE INDEX `notifications_pending` ON `notifications` (`tenant_id`,`id`) WHERE "notifications"."delivered_at" IS NULL AND "notifications"."failed_at" IS NULL;--> statement-breakpoint
CREATE TABLE `notify_leases` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`until` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`external_id` text,
	`email` text,
	`email_lower` text,
	`first_name` text,
	`last_name` text,
	`company_id` text,
	`role` text,
	`client_id` text,
	`custom_fields` text,
	`metadata` text,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`src_job` text NOT NULL,
	`src_line` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_external_id` ON `users` (`tenant_id`,`external_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_email` ON `users` (`tenant_id`,`email_lower`);