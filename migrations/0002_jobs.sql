CREATE TABLE `job_chunks` (
	`job_id` text NOT NULL,
	`chunk` integer NOT NULL,
	`created` integer NOT NULL,
	`updated` integer NOT NULL,
	`skipped` integer NOT NULL,
	`failed` integer NOT NULL,
	PRIMARY KEY(`job_id`, `chunk`)
);
--> statement-breakpoint
CREATE TABLE `job_errors` (
	`job_id` text NOT NULL,
	`ref` integer NOT NULL,
	`code` text NOT NULL,
	`error` text NOT NULL,
	`raw` text,
	PRIMARY KEY(`job_id`, `ref`)
);
