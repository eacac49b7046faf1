DROP INDEX `reports_device_throughput`;--> statement-breakpoint
CREATE INDEX `reports_device_throughput` ON `reports` (`device_id`,`collected_at`,`down_mbps`,`up_mbps`) WHERE down_mbps IS NOT NULL;