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
CREATE TABLE `idempotency_keys` (
	`tenant_id` text NOT NULL,
	`key` text NOT NULL,
	`route` text NOT NULL,
	`body_hash` text NOT NULL,
	`status` integer,
	`headers` text,
	`body` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `key`, `route`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_age` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`email` text,
	`external_id` text,
	`invite_message` text,
	`created_at` text NOT NULL,
	`delivered_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_once` ON `notifications` (`tenant_id`,`user_id`,`kind`);--> statement-breakpoint
CREATE INDEX `notifications_tenant` ON `notifications` (`tenant_id`,`id`);--> statement-breakpoint
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
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`src_job` text NOT NULL,
	`src_line` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_external_id` ON `users` (`tenant_id`,`external_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_email` ON `users` (`tenant_id`,`email_lower`);