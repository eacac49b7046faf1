-- Report ids become their 16 bytes and new bodies are deflated with a dictionary (decision 181): ids are converted
-- here, bodies stored before stay JSON text (server/db/report-body.ts reads both).
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_reports` (
	`id` blob NOT NULL,
	`device_id` text NOT NULL,
	`collected_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`collected_at_clamped` integer NOT NULL,
	`schema_version` integer NOT NULL,
	`agent_version` text NOT NULL,
	`internet_reachable` integer NOT NULL,
	`latency_ms` real,
	`down_mbps` real,
	`up_mbps` real,
	`presentation_display` integer NOT NULL,
	`presentation_kind` text,
	`body` blob NOT NULL,
	`down_flag` text,
	PRIMARY KEY(`device_id`, `id`),
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_reports`("id", "device_id", "collected_at", "received_at", "collected_at_clamped", "schema_version", "agent_version", "internet_reachable", "latency_ms", "down_mbps", "up_mbps", "presentation_display", "presentation_kind", "body", "down_flag") SELECT CASE WHEN length("id") = 36 AND unhex(replace("id", '-', '')) IS NOT NULL THEN unhex(replace("id", '-', '')) ELSE "id" END, "device_id", "collected_at", "received_at", "collected_at_clamped", "schema_version", "agent_version", "internet_reachable", "latency_ms", "down_mbps", "up_mbps", "presentation_display", "presentation_kind", "body", "down_flag" FROM `reports`;--> statement-breakpoint
DROP TABLE `reports`;--> statement-breakpoint
ALTER TABLE `__new_reports` RENAME TO `reports`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `reports_device_collected` ON `reports` (`device_id`,`collected_at`);--> statement-breakpoint
CREATE INDEX `reports_collected` ON `reports` (`collected_at`);--> statement-breakpoint
CREATE INDEX `reports_device_throughput` ON `reports` (`device_id`,`collected_at`,`down_mbps`,`up_mbps`,`down_flag`) WHERE down_mbps IS NOT NULL;