CREATE TABLE `job_deactivations` (
	`job_id` text NOT NULL,
	`user_id` integer NOT NULL,
	`state` text NOT NULL,
	PRIMARY KEY(`job_id`, `user_id`)
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
ALTER TABLE `job_chunks` ADD `deactivated` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `status` text DEFAULT 'active' NOT NULL;