ALTER TABLE `classroom_status` ADD `equipped_kind` text;--> statement-breakpoint
ALTER TABLE `county_rollups` ADD `classrooms_equipped_projector` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `county_rollups` ADD `classrooms_equipped_interactive_panel` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `county_rollups` ADD `classrooms_equipped_large_display` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `device_days` ADD `last_presentation_kind` text;--> statement-breakpoint
ALTER TABLE `device_status` ADD `last_presentation_kind` text;--> statement-breakpoint
ALTER TABLE `reports` ADD `presentation_kind` text;--> statement-breakpoint
ALTER TABLE `school_status` ADD `classrooms_equipped_projector` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `school_status` ADD `classrooms_equipped_interactive_panel` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `school_status` ADD `classrooms_equipped_large_display` integer DEFAULT 0 NOT NULL;