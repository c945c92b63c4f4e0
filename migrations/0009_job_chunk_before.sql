ALTER TABLE `job_chunks` ADD `before` text;--> statement-breakpoint
ALTER TABLE `job_chunks` ADD `before_rows` integer DEFAULT 0 NOT NULL;