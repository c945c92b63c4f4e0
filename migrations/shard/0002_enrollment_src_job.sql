ALTER TABLE `enrollments` ADD `src_job` text;--> statement-breakpoint
CREATE INDEX `enrollments_src_job` ON `enrollments` (`tenant_id`,`src_job`) WHERE src_job IS NOT NULL;