CREATE TABLE `device_reenrollments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`device_id` text NOT NULL,
	`enrollment_token_id` integer NOT NULL,
	`matched_on` text NOT NULL,
	`previous_hostname` text NOT NULL,
	`previous_classroom_id` integer,
	`previous_key_hash` text,
	`reenrolled_at` integer NOT NULL,
	`confirmed_at` integer,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`enrollment_token_id`) REFERENCES `enrollment_tokens`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`previous_classroom_id`) REFERENCES `classrooms`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `device_reenrollments_previous_key` ON `device_reenrollments` (`previous_key_hash`);--> statement-breakpoint
CREATE INDEX `device_reenrollments_device` ON `device_reenrollments` (`device_id`,`confirmed_at`);