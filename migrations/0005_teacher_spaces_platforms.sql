CREATE TABLE `platform_probes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`platform_id` integer NOT NULL,
	`at` integer NOT NULL,
	`up` integer NOT NULL,
	`status_code` integer,
	`latency_ms` real,
	`error` text,
	FOREIGN KEY (`platform_id`) REFERENCES `platforms`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `platform_probes_platform_at` ON `platform_probes` (`platform_id`,`at`);--> statement-breakpoint
CREATE INDEX `platform_probes_at` ON `platform_probes` (`at`);--> statement-breakpoint
CREATE TABLE `platform_status` (
	`platform_id` integer PRIMARY KEY NOT NULL,
	`last_probe_at` integer NOT NULL,
	`up` integer NOT NULL,
	`status_code` integer,
	`error` text,
	`uptime_7d` real,
	`uptime_30d` real,
	`median_latency_ms` real,
	`probes_30d` integer NOT NULL,
	FOREIGN KEY (`platform_id`) REFERENCES `platforms`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `platforms` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`level` text NOT NULL,
	`owner_code` text NOT NULL,
	`county_code` text,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`built_on` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`county_code`) REFERENCES `divisions`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `platforms_owner` ON `platforms` (`level`,`owner_code`);--> statement-breakpoint
CREATE INDEX `platforms_county` ON `platforms` (`county_code`);--> statement-breakpoint
CREATE TABLE `teacher_spaces` (
	`school_code` text PRIMARY KEY NOT NULL,
	`teachers` integer NOT NULL,
	`spaces_opened` integer NOT NULL,
	`spaces_verified` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	FOREIGN KEY (`school_code`) REFERENCES `schools`(`code`) ON UPDATE no action ON DELETE no action
);
