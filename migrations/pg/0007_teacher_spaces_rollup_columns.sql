ALTER TABLE "division_rollups" ADD COLUMN "teachers" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "division_rollups" ADD COLUMN "teacher_spaces_opened" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "division_rollups" ADD COLUMN "teacher_spaces_verified" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "division_rollups" ADD COLUMN "schools_declaring_teacher_spaces" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "school_status" ADD COLUMN "teachers" integer;--> statement-breakpoint
ALTER TABLE "school_status" ADD COLUMN "teacher_spaces_opened" integer;--> statement-breakpoint
ALTER TABLE "school_status" ADD COLUMN "teacher_spaces_verified" integer;