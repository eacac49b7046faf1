-- Decision 140/141, as SQLite's migration 0020: the rollups of every division level and the deployment row
-- move the read-model version like the tables they replace. (No PostgreSQL database held data before.)
CREATE TRIGGER "division_rollups_bumps_read_model_insert" AFTER INSERT ON "division_rollups"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "division_rollups_bumps_read_model_update" AFTER UPDATE ON "division_rollups"
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
--> statement-breakpoint
CREATE TRIGGER "division_rollups_bumps_read_model_delete" AFTER DELETE ON "division_rollups"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "deployment_bumps_read_model_insert" AFTER INSERT ON "deployment"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE TRIGGER "deployment_bumps_read_model_update" AFTER UPDATE ON "deployment"
  FOR EACH ROW EXECUTE FUNCTION "bump_read_model_version"();
--> statement-breakpoint
CREATE FUNCTION "move_division_tree_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "deployment" SET "tree_version" = "tree_version" + 1 WHERE "id" = 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "divisions_move_tree_version_insert" AFTER INSERT ON "divisions"
  FOR EACH ROW EXECUTE FUNCTION "move_division_tree_version"();
--> statement-breakpoint
CREATE TRIGGER "divisions_move_tree_version_update" AFTER UPDATE ON "divisions"
  FOR EACH ROW EXECUTE FUNCTION "move_division_tree_version"();
--> statement-breakpoint
CREATE TRIGGER "divisions_move_tree_version_delete" AFTER DELETE ON "divisions"
  FOR EACH ROW EXECUTE FUNCTION "move_division_tree_version"();
