ALTER TABLE `division_rollups` ADD `teachers` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `division_rollups` ADD `teacher_spaces_opened` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `division_rollups` ADD `teacher_spaces_verified` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `division_rollups` ADD `schools_declaring_teacher_spaces` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `school_status` ADD `teachers` integer;--> statement-breakpoint
ALTER TABLE `school_status` ADD `teacher_spaces_opened` integer;--> statement-breakpoint
ALTER TABLE `school_status` ADD `teacher_spaces_verified` integer;