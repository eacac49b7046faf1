-- Reports stored before presentation kinds were recorded: their kind from the stored body, the first of
-- projector, interactive-panel, large-display the report shows (server/coverage/rules.ts presentationKindOf).
UPDATE `reports` SET `presentation_kind` = (
  SELECT json_extract(d.value, '$.kind') FROM json_each(`reports`.`body`, '$.displays') d
  WHERE json_extract(d.value, '$.kind') IN ('projector', 'interactive-panel', 'large-display')
  ORDER BY CASE json_extract(d.value, '$.kind') WHEN 'projector' THEN 0 WHEN 'interactive-panel' THEN 1 ELSE 2 END
  LIMIT 1
) WHERE `presentation_display` = 1;
--> statement-breakpoint
-- Each device's latest presentation evidence gets the kind of the report it came from (the same order breaks ties).
UPDATE `device_status` SET `last_presentation_kind` = (
  SELECT r.`presentation_kind` FROM `reports` r
  WHERE r.`device_id` = `device_status`.`device_id` AND r.`collected_at` = `device_status`.`last_presentation_at`
    AND r.`internet_reachable` = 1 AND r.`presentation_kind` IS NOT NULL
  ORDER BY CASE r.`presentation_kind` WHEN 'projector' THEN 0 WHEN 'interactive-panel' THEN 1 ELSE 2 END
  LIMIT 1
) WHERE `last_presentation_at` IS NOT NULL;
--> statement-breakpoint
-- Every school is due: the aging sweep re-derives classroom kinds and the per-kind counts in its next runs
-- (and `santong verify` sweeps first), instead of this migration repeating the rule in SQL.
UPDATE `school_status` SET `next_change_at` = 0;
--> statement-breakpoint
-- Coverage reads cache per read-model version (migration 0009): a change in the per-kind counts alone must bump it too.
DROP TRIGGER IF EXISTS `county_rollups_bumps_read_model_update`;
--> statement-breakpoint
CREATE TRIGGER `county_rollups_bumps_read_model_update` AFTER UPDATE ON `county_rollups`
  WHEN old.`schools_registered` IS NOT new.`schools_registered`
    OR old.`schools_connected` IS NOT new.`schools_connected`
    OR old.`schools_meeting_standard` IS NOT new.`schools_meeting_standard`
    OR old.`schools_declared_connected` IS NOT new.`schools_declared_connected`
    OR old.`declaration_conflicts` IS NOT new.`declaration_conflicts`
    OR old.`classrooms_registered` IS NOT new.`classrooms_registered`
    OR old.`classrooms_equipped` IS NOT new.`classrooms_equipped`
    OR old.`classrooms_equipped_projector` IS NOT new.`classrooms_equipped_projector`
    OR old.`classrooms_equipped_interactive_panel` IS NOT new.`classrooms_equipped_interactive_panel`
    OR old.`classrooms_equipped_large_display` IS NOT new.`classrooms_equipped_large_display`
    OR old.`classrooms_declared_equipped` IS NOT new.`classrooms_declared_equipped`
    OR old.`devices_enrolled` IS NOT new.`devices_enrolled`
    OR old.`devices_live` IS NOT new.`devices_live`
    OR old.`devices_at_risk` IS NOT new.`devices_at_risk`
    OR old.`devices_silent` IS NOT new.`devices_silent`
    OR old.`devices_never` IS NOT new.`devices_never`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
