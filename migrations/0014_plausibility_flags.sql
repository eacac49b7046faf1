CREATE TABLE `speedtests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`device_id` text NOT NULL,
	`finished_at` integer NOT NULL,
	`down_bytes` integer NOT NULL,
	`down_mbps` real,
	`up_bytes` integer NOT NULL,
	`up_mbps` real,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `speedtests_device_finished` ON `speedtests` (`device_id`,`finished_at`);--> statement-breakpoint
DROP INDEX `reports_device_throughput`;--> statement-breakpoint
ALTER TABLE `reports` ADD `down_flag` text;--> statement-breakpoint
CREATE INDEX `reports_device_throughput` ON `reports` (`device_id`,`collected_at`,`down_mbps`,`up_mbps`,`down_flag`) WHERE down_mbps IS NOT NULL;--> statement-breakpoint
ALTER TABLE `device_status` ADD `down_source` text;--> statement-breakpoint
ALTER TABLE `device_status` ADD `flagged_samples` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `device_status` ADD `flag_reasons` text;--> statement-breakpoint
ALTER TABLE `school_status` ADD `bandwidth_source` text;--> statement-breakpoint
ALTER TABLE `school_status` ADD `flagged_samples` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `school_status` ADD `flag_reasons` text;