CREATE TABLE `closures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`county_code` text,
	`starts_on` text NOT NULL,
	`ends_on` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`county_code`) REFERENCES `divisions`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `daily_snapshots` (
	`day` text NOT NULL,
	`division_code` text NOT NULL,
	`figures` text NOT NULL,
	`source` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`day`, `division_code`)
);
--> statement-breakpoint
CREATE TABLE `declarations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`school_code` text NOT NULL,
	`classroom_id` integer,
	`indicator` text NOT NULL,
	`declared_at` integer NOT NULL,
	`declared_by` text NOT NULL,
	`reason` text NOT NULL,
	`withdrawn_at` integer,
	`withdrawn_by` text,
	FOREIGN KEY (`school_code`) REFERENCES `schools`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`classroom_id`) REFERENCES `classrooms`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `declarations_school` ON `declarations` (`school_code`);--> statement-breakpoint
CREATE TABLE `inspection_schools` (
	`inspection_id` integer NOT NULL,
	`school_code` text NOT NULL,
	`stratum` text NOT NULL,
	`result` text,
	`note` text,
	`recorded_at` integer,
	`recorded_by` text,
	PRIMARY KEY(`inspection_id`, `school_code`),
	FOREIGN KEY (`inspection_id`) REFERENCES `inspections`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`school_code`) REFERENCES `schools`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `inspections` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`seed` text NOT NULL,
	`per_county` integer NOT NULL,
	`drawn_at` integer NOT NULL,
	`drawn_by` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `classroom_status` ADD `declared_equipped` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `county_rollups` ADD `schools_declared_connected` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `county_rollups` ADD `declaration_conflicts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `county_rollups` ADD `classrooms_declared_equipped` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `school_status` ADD `declared_connected` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `school_status` ADD `declaration_conflict` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `school_status` ADD `classrooms_declared_equipped` integer DEFAULT 0 NOT NULL;