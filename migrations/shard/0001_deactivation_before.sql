ALTER TABLE `job_deactivations` ADD `before_updated_at` text;--> statement-breakpoint
ALTER TABLE `job_deactivations` ADD `before_src_job` text;--> statement-breakpoint
ALTER TABLE `job_deactivations` ADD `before_src_line` integer;