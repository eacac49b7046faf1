CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`county_code` text,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	`last_used_at` integer,
	FOREIGN KEY (`county_code`) REFERENCES `divisions`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hash` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `classroom_status` (
	`classroom_id` integer PRIMARY KEY NOT NULL,
	`school_code` text NOT NULL,
	`equipped` integer NOT NULL,
	`last_evidence_at` integer,
	FOREIGN KEY (`classroom_id`) REFERENCES `classrooms`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `classroom_status_school` ON `classroom_status` (`school_code`);--> statement-breakpoint
CREATE TABLE `classrooms` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`school_code` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	FOREIGN KEY (`school_code`) REFERENCES `schools`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `classrooms_school_code` ON `classrooms` (`school_code`,`code`);--> statement-breakpoint
CREATE TABLE `county_rollups` (
	`county_code` text PRIMARY KEY NOT NULL,
	`schools_registered` integer NOT NULL,
	`schools_connected` integer NOT NULL,
	`schools_meeting_standard` integer NOT NULL,
	`classrooms_registered` integer NOT NULL,
	`classrooms_equipped` integer NOT NULL,
	`devices_enrolled` integer NOT NULL,
	`devices_live` integer NOT NULL,
	`devices_at_risk` integer NOT NULL,
	`devices_silent` integer NOT NULL,
	`devices_never` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`county_code`) REFERENCES `divisions`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `device_macs` (
	`device_id` text NOT NULL,
	`mac` text NOT NULL,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `device_macs_pair` ON `device_macs` (`device_id`,`mac`);--> statement-breakpoint
CREATE INDEX `device_macs_mac` ON `device_macs` (`mac`);--> statement-breakpoint
CREATE TABLE `device_status` (
	`device_id` text PRIMARY KEY NOT NULL,
	`school_code` text NOT NULL,
	`last_collected_at` integer,
	`last_received_at` integer,
	`last_reachable_at` integer,
	`last_presentation_at` integer,
	`agent_version` text,
	`median_down_mbps` real,
	`median_up_mbps` real,
	`throughput_samples` integer DEFAULT 0 NOT NULL,
	`state` text NOT NULL,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `device_status_school` ON `device_status` (`school_code`);--> statement-breakpoint
CREATE TABLE `devices` (
	`id` text PRIMARY KEY NOT NULL,
	`school_code` text NOT NULL,
	`classroom_id` integer,
	`hostname` text NOT NULL,
	`key_hash` text NOT NULL,
	`hardware_uuid` text,
	`hardware_serial` text,
	`enrollment_token_id` integer,
	`enrolled_at` integer NOT NULL,
	`reenrolled_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`school_code`) REFERENCES `schools`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`classroom_id`) REFERENCES `classrooms`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`enrollment_token_id`) REFERENCES `enrollment_tokens`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `devices_key_hash` ON `devices` (`key_hash`);--> statement-breakpoint
CREATE INDEX `devices_school` ON `devices` (`school_code`);--> statement-breakpoint
CREATE INDEX `devices_hardware_uuid` ON `devices` (`hardware_uuid`);--> statement-breakpoint
CREATE INDEX `devices_hardware_serial` ON `devices` (`hardware_serial`);--> statement-breakpoint
CREATE TABLE `divisions` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`pinyin` text,
	`level` text NOT NULL,
	`parent_code` text
);
--> statement-breakpoint
CREATE TABLE `enrollment_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`school_code` text NOT NULL,
	`expires_at` integer,
	`max_uses` integer,
	`uses` integer DEFAULT 0 NOT NULL,
	`revoked_at` integer,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	FOREIGN KEY (`school_code`) REFERENCES `schools`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `enrollment_tokens_hash` ON `enrollment_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `enrollment_tokens_school` ON `enrollment_tokens` (`school_code`);--> statement-breakpoint
CREATE TABLE `hardware_conflicts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`device_id` text NOT NULL,
	`other_device_id` text NOT NULL,
	`matched_on` text NOT NULL,
	`detected_at` integer NOT NULL,
	`resolved_at` integer,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`other_device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `hardware_conflicts_pair` ON `hardware_conflicts` (`device_id`,`other_device_id`);--> statement-breakpoint
CREATE TABLE `plans` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`document` text NOT NULL,
	`imported_at` integer NOT NULL,
	`source` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `reports` (
	`id` text PRIMARY KEY NOT NULL,
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
	`body` text NOT NULL,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `reports_device_collected` ON `reports` (`device_id`,`collected_at`);--> statement-breakpoint
CREATE INDEX `reports_device_throughput` ON `reports` (`device_id`,`collected_at`) WHERE down_mbps IS NOT NULL;--> statement-breakpoint
CREATE TABLE `school_status` (
	`school_code` text PRIMARY KEY NOT NULL,
	`county_code` text NOT NULL,
	`connected` integer NOT NULL,
	`last_reachable_at` integer,
	`bandwidth_mbps` real,
	`standard_mbps` real,
	`meets_standard` integer NOT NULL,
	`classrooms_registered` integer NOT NULL,
	`classrooms_equipped` integer NOT NULL,
	`devices_enrolled` integer NOT NULL,
	`devices_live` integer NOT NULL,
	`devices_at_risk` integer NOT NULL,
	`devices_silent` integer NOT NULL,
	`devices_never` integer NOT NULL,
	`evaluated_at` integer NOT NULL,
	`next_change_at` integer,
	FOREIGN KEY (`school_code`) REFERENCES `schools`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `school_status_county` ON `school_status` (`county_code`);--> statement-breakpoint
CREATE INDEX `school_status_next_change` ON `school_status` (`next_change_at`);--> statement-breakpoint
CREATE TABLE `schools` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`county_code` text NOT NULL,
	`township` text,
	`type_code` text NOT NULL,
	`urban_rural_code` text NOT NULL,
	`class_count` integer,
	`centre_school_code` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`county_code`) REFERENCES `divisions`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `schools_county` ON `schools` (`county_code`,`code`);