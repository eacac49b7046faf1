-- Decision 140/141: county_rollups becomes the county rows of division_rollups, the prefecture's row is summed
-- from them once, the deployment's root is the prefecture the database already tracks, and accounts and
-- tokens name their division in division_code.
-- By name, not SELECT *: county_rollups gained columns at its end (0006, 0012), division_rollups declares them in
-- the middle, so a positional copy put declared and per-kind figures in each other's columns.
INSERT INTO `division_rollups` (`division_code`, `schools_registered`, `schools_connected`, `schools_meeting_standard`, `schools_declared_connected`,
  `declaration_conflicts`, `classrooms_registered`, `classrooms_equipped`, `classrooms_equipped_projector`,
  `classrooms_equipped_interactive_panel`, `classrooms_equipped_large_display`, `classrooms_declared_equipped`,
  `devices_enrolled`, `devices_live`, `devices_at_risk`, `devices_silent`, `devices_never`, `updated_at`)
SELECT `county_code`, `schools_registered`, `schools_connected`, `schools_meeting_standard`, `schools_declared_connected`,
  `declaration_conflicts`, `classrooms_registered`, `classrooms_equipped`, `classrooms_equipped_projector`,
  `classrooms_equipped_interactive_panel`, `classrooms_equipped_large_display`, `classrooms_declared_equipped`,
  `devices_enrolled`, `devices_live`, `devices_at_risk`, `devices_silent`, `devices_never`, `updated_at`
FROM `county_rollups`;
--> statement-breakpoint
INSERT INTO `division_rollups`
SELECT d.`code`, coalesce(sum(r.`schools_registered`), 0), coalesce(sum(r.`schools_connected`), 0),
  coalesce(sum(r.`schools_meeting_standard`), 0), coalesce(sum(r.`schools_declared_connected`), 0),
  coalesce(sum(r.`declaration_conflicts`), 0), coalesce(sum(r.`classrooms_registered`), 0),
  coalesce(sum(r.`classrooms_equipped`), 0), coalesce(sum(r.`classrooms_equipped_projector`), 0),
  coalesce(sum(r.`classrooms_equipped_interactive_panel`), 0), coalesce(sum(r.`classrooms_equipped_large_display`), 0),
  coalesce(sum(r.`classrooms_declared_equipped`), 0), coalesce(sum(r.`devices_enrolled`), 0),
  coalesce(sum(r.`devices_live`), 0), coalesce(sum(r.`devices_at_risk`), 0), coalesce(sum(r.`devices_silent`), 0),
  coalesce(sum(r.`devices_never`), 0), coalesce(max(r.`updated_at`), 0)
FROM `divisions` d
LEFT JOIN `divisions` c ON c.`parent_code` = d.`code`
LEFT JOIN `county_rollups` r ON r.`county_code` = c.`code`
WHERE d.`level` = 'prefecture'
GROUP BY d.`code`;
--> statement-breakpoint
INSERT INTO `deployment` (`id`, `root_code`, `reference_edition`, `chosen_at`, `tree_version`)
SELECT 1, `code`, 'the plan''s own tree (before migration 0020)', CAST(unixepoch('subsec') * 1000 AS integer), 1
FROM `divisions` WHERE `level` = 'prefecture' AND `parent_code` IS NULL LIMIT 1;
--> statement-breakpoint
UPDATE `users` SET `division_code` = `county_code`;
--> statement-breakpoint
UPDATE `api_tokens` SET `division_code` = `county_code`;
--> statement-breakpoint
CREATE TRIGGER `division_rollups_bumps_read_model_insert` AFTER INSERT ON `division_rollups`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `division_rollups_bumps_read_model_update` AFTER UPDATE ON `division_rollups`
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
--> statement-breakpoint
CREATE TRIGGER `division_rollups_bumps_read_model_delete` AFTER DELETE ON `division_rollups`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `deployment_bumps_read_model_update` AFTER UPDATE ON `deployment`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `deployment_bumps_read_model_insert` AFTER INSERT ON `deployment`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `divisions_move_tree_version_insert` AFTER INSERT ON `divisions`
BEGIN
  UPDATE `deployment` SET `tree_version` = `tree_version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `divisions_move_tree_version_update` AFTER UPDATE ON `divisions`
BEGIN
  UPDATE `deployment` SET `tree_version` = `tree_version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `divisions_move_tree_version_delete` AFTER DELETE ON `divisions`
BEGIN
  UPDATE `deployment` SET `tree_version` = `tree_version` + 1 WHERE `id` = 1;
END;
