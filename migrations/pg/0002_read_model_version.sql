-- Coverage reads cache what they build per version of this row; every change they depend on bumps it
-- (SQLite migrations 0009 and 0013). Row-level triggers, as in SQLite, so every writer counts.
INSERT INTO "read_model_version" ("id", "version") VALUES (1, 1);
--> statement-breakpoint
CREATE FUNCTION "bump_read_model_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "read_model_version" SET "version" = "version" + 1 WHERE "id" = 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "divisions_bumps_read_model_insert" AFTER INSERT ON "divisions"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "divisions_bumps_read_model_update" AFTER UPDATE ON "divisions"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "divisions_bumps_read_model_delete" AFTER DELETE ON "divisions"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "plans_bumps_read_model_insert" AFTER INSERT ON "plans"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "plans_bumps_read_model_update" AFTER UPDATE ON "plans"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "plans_bumps_read_model_delete" AFTER DELETE ON "plans"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "teacher_spaces_bumps_read_model_insert" AFTER INSERT ON "teacher_spaces"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "teacher_spaces_bumps_read_model_update" AFTER UPDATE ON "teacher_spaces"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "teacher_spaces_bumps_read_model_delete" AFTER DELETE ON "teacher_spaces"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "platforms_bumps_read_model_insert" AFTER INSERT ON "platforms"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "platforms_bumps_read_model_update" AFTER UPDATE ON "platforms"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "platforms_bumps_read_model_delete" AFTER DELETE ON "platforms"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "platform_status_bumps_read_model_insert" AFTER INSERT ON "platform_status"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "platform_status_bumps_read_model_update" AFTER UPDATE ON "platform_status"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "platform_status_bumps_read_model_delete" AFTER DELETE ON "platform_status"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "county_rollups_bumps_read_model_insert" AFTER INSERT ON "county_rollups"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "county_rollups_bumps_read_model_delete" AFTER DELETE ON "county_rollups"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "schools_bumps_read_model_insert" AFTER INSERT ON "schools"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "schools_bumps_read_model_delete" AFTER DELETE ON "schools"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
-- A school's county or centre school changes what coverage counts where; its other columns do not.
CREATE TRIGGER "schools_bumps_read_model_update" AFTER UPDATE OF "county_code", "centre_school_code" ON "schools"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
-- Only a change in a figure bumps the version; a rollup rewritten with the same figures (updated_at alone) does not.
CREATE TRIGGER "county_rollups_bumps_read_model_update" AFTER UPDATE ON "county_rollups"
  FOR EACH ROW WHEN (
    (old."schools_registered", old."schools_connected", old."schools_meeting_standard",
     old."schools_declared_connected", old."declaration_conflicts", old."classrooms_registered",
     old."classrooms_equipped", old."classrooms_equipped_projector", old."classrooms_equipped_interactive_panel",
     old."classrooms_equipped_large_display", old."classrooms_declared_equipped", old."devices_enrolled",
     old."devices_live", old."devices_at_risk", old."devices_silent", old."devices_never")
    IS DISTINCT FROM
    (new."schools_registered", new."schools_connected", new."schools_meeting_standard",
     new."schools_declared_connected", new."declaration_conflicts", new."classrooms_registered",
     new."classrooms_equipped", new."classrooms_equipped_projector", new."classrooms_equipped_interactive_panel",
     new."classrooms_equipped_large_display", new."classrooms_declared_equipped", new."devices_enrolled",
     new."devices_live", new."devices_at_risk", new."devices_silent", new."devices_never")
  ) EXECUTE FUNCTION "bump_read_model_version"();
