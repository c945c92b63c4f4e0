ALTER TABLE `job_chunks` ADD `unchanged` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `job_chunks` ADD `results` text;--> statement-breakpoint
ALTER TABLE `job_chunks` ADD `claims` text;