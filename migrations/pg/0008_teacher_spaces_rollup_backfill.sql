-- Decision 164: a school's declared teacher spaces (人人通) are copied into its status row by its evaluation and
-- summed into the rollups of every level like its other figures. This fills both from what was declared before.
UPDATE "school_status" SET
  "teachers" = (SELECT t."teachers" FROM "teacher_spaces" t WHERE t."school_code" = "school_status"."school_code"),
  "teacher_spaces_opened" = (SELECT t."spaces_opened" FROM "teacher_spaces" t WHERE t."school_code" = "school_status"."school_code"),
  "teacher_spaces_verified" = (SELECT t."spaces_verified" FROM "teacher_spaces" t WHERE t."school_code" = "school_status"."school_code");
--> statement-breakpoint
-- A division's own schools first (only a school unit has any), then each level adds its children's rows, deepest first.
UPDATE "division_rollups" SET
  "teachers" = (SELECT coalesce(sum(s."teachers"), 0) FROM "school_status" s WHERE s."county_code" = "division_rollups"."division_code"),
  "teacher_spaces_opened" = (SELECT coalesce(sum(s."teacher_spaces_opened"), 0) FROM "school_status" s WHERE s."county_code" = "division_rollups"."division_code"),
  "teacher_spaces_verified" = (SELECT coalesce(sum(s."teacher_spaces_verified"), 0) FROM "school_status" s WHERE s."county_code" = "division_rollups"."division_code"),
  "schools_declaring_teacher_spaces" = (SELECT count(s."teachers") FROM "school_status" s WHERE s."county_code" = "division_rollups"."division_code");
--> statement-breakpoint
UPDATE "division_rollups" SET
  "teachers" = "teachers" + (SELECT coalesce(sum(r."teachers"), 0) FROM "divisions" d JOIN "division_rollups" r ON r."division_code" = d."code"
    WHERE d."parent_code" = "division_rollups"."division_code"),
  "teacher_spaces_opened" = "teacher_spaces_opened" + (SELECT coalesce(sum(r."teacher_spaces_opened"), 0) FROM "divisions" d JOIN "division_rollups" r ON r."division_code" = d."code"
    WHERE d."parent_code" = "division_rollups"."division_code"),
  "teacher_spaces_verified" = "teacher_spaces_verified" + (SELECT coalesce(sum(r."teacher_spaces_verified"), 0) FROM "divisions" d JOIN "division_rollups" r ON r."division_code" = d."code"
    WHERE d."parent_code" = "division_rollups"."division_code"),
  "schools_declaring_teacher_spaces" = "schools_declaring_teacher_spaces" + (SELECT coalesce(sum(r."schools_declaring_teacher_spaces"), 0) FROM "divisions" d JOIN "division_rollups" r ON r."division_code" = d."code"
    WHERE d."parent_code" = "division_rollups"."division_code")
WHERE "division_code" IN (SELECT "code" FROM "divisions" WHERE "level" = 'prefecture');
--> statement-breakpoint
UPDATE "division_rollups" SET
  "teachers" = "teachers" + (SELECT coalesce(sum(r."teachers"), 0) FROM "divisions" d JOIN "division_rollups" r ON r."division_code" = d."code"
    WHERE d."parent_code" = "division_rollups"."division_code"),
  "teacher_spaces_opened" = "teacher_spaces_opened" + (SELECT coalesce(sum(r."teacher_spaces_opened"), 0) FROM "divisions" d JOIN "division_rollups" r ON r."division_code" = d."code"
    WHERE d."parent_code" = "division_rollups"."division_code"),
  "teacher_spaces_verified" = "teacher_spaces_verified" + (SELECT coalesce(sum(r."teacher_spaces_verified"), 0) FROM "divisions" d JOIN "division_rollups" r ON r."division_code" = d."code"
    WHERE d."parent_code" = "division_rollups"."division_code"),
  "schools_declaring_teacher_spaces" = "schools_declaring_teacher_spaces" + (SELECT coalesce(sum(r."schools_declaring_teacher_spaces"), 0) FROM "divisions" d JOIN "division_rollups" r ON r."division_code" = d."code"
    WHERE d."parent_code" = "division_rollups"."division_code")
WHERE "division_code" IN (SELECT "code" FROM "divisions" WHERE "level" = 'province');
--> statement-breakpoint
UPDATE "division_rollups" SET
  "teachers" = "teachers" + (SELECT coalesce(sum(r."teachers"), 0) FROM "divisions" d JOIN "division_rollups" r ON r."division_code" = d."code"
    WHERE d."parent_code" = "division_rollups"."division_code"),
  "teacher_spaces_opened" = "teacher_spaces_opened" + (SELECT coalesce(sum(r."teacher_spaces_opened"), 0) FROM "divisions" d JOIN "division_rollups" r ON r."division_code" = d."code"
    WHERE d."parent_code" = "division_rollups"."division_code"),
  "teacher_spaces_verified" = "teacher_spaces_verified" + (SELECT coalesce(sum(r."teacher_spaces_verified"), 0) FROM "divisions" d JOIN "division_rollups" r ON r."division_code" = d."code"
    WHERE d."parent_code" = "division_rollups"."division_code"),
  "schools_declaring_teacher_spaces" = "schools_declaring_teacher_spaces" + (SELECT coalesce(sum(r."schools_declaring_teacher_spaces"), 0) FROM "divisions" d JOIN "division_rollups" r ON r."division_code" = d."code"
    WHERE d."parent_code" = "division_rollups"."division_code")
WHERE "division_code" IN (SELECT "code" FROM "divisions" WHERE "level" = 'country');
--> statement-breakpoint
-- The rollup's new figures move the read-model version like the others (migration 0004 listed the others).
DROP TRIGGER "division_rollups_bumps_read_model_update" ON "division_rollups";
--> statement-breakpoint
CREATE TRIGGER "division_rollups_bumps_read_model_update" AFTER UPDATE ON "division_rollups"
  FOR EACH ROW WHEN (
    (old."schools_registered", old."schools_connected", old."schools_meeting_standard",
     old."schools_declared_connected", old."declaration_conflicts", old."classrooms_registered",
     old."classrooms_equipped", old."classrooms_equipped_projector",
     old."classrooms_equipped_interactive_panel", old."classrooms_equipped_large_display",
     old."classrooms_declared_equipped", old."devices_enrolled", old."devices_live", old."devices_at_risk",
     old."devices_silent", old."devices_never", old."teachers", old."teacher_spaces_opened",
     old."teacher_spaces_verified", old."schools_declaring_teacher_spaces")
    IS DISTINCT FROM
    (new."schools_registered", new."schools_connected", new."schools_meeting_standard",
     new."schools_declared_connected", new."declaration_conflicts", new."classrooms_registered",
     new."classrooms_equipped", new."classrooms_equipped_projector",
     new."classrooms_equipped_interactive_panel", new."classrooms_equipped_large_display",
     new."classrooms_declared_equipped", new."devices_enrolled", new."devices_live", new."devices_at_risk",
     new."devices_silent", new."devices_never", new."teachers", new."teacher_spaces_opened",
     new."teacher_spaces_verified", new."schools_declaring_teacher_spaces")
  ) EXECUTE FUNCTION "bump_read_model_version"();
