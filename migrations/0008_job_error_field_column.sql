ALTER TABLE `job_errors` ADD `field` text;--> statement-breakpoint
ALTER TABLE `job_errors` ADD `column` text;