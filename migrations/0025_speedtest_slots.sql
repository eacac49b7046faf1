CREATE TABLE `speedtest_grants` (
	`device_id` text NOT NULL,
	`day` text NOT NULL,
	`grants` integer NOT NULL,
	PRIMARY KEY(`device_id`, `day`),
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `speedtest_slots` (
	`school_code` text PRIMARY KEY NOT NULL,
	`device_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`download_taken` integer NOT NULL,
	`upload_taken` integer NOT NULL,
	`download_started_at` real,
	`download_sent` integer,
	`download_done` integer,
	FOREIGN KEY (`school_code`) REFERENCES `schools`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action
);
