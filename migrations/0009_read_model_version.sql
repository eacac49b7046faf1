CREATE TABLE `read_model_version` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
-- Coverage reads cache what they build per version of this row; every change they depend on bumps it.
INSERT INTO `read_model_version` (`id`, `version`) VALUES (1, 1);
--> statement-breakpoint
CREATE TRIGGER `divisions_bumps_read_model_insert` AFTER INSERT ON `divisions`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `divisions_bumps_read_model_update` AFTER UPDATE ON `divisions`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `divisions_bumps_read_model_delete` AFTER DELETE ON `divisions`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `plans_bumps_read_model_insert` AFTER INSERT ON `plans`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `plans_bumps_read_model_update` AFTER UPDATE ON `plans`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `plans_bumps_read_model_delete` AFTER DELETE ON `plans`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `teacher_spaces_bumps_read_model_insert` AFTER INSERT ON `teacher_spaces`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `teacher_spaces_bumps_read_model_update` AFTER UPDATE ON `teacher_spaces`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `teacher_spaces_bumps_read_model_delete` AFTER DELETE ON `teacher_spaces`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `platforms_bumps_read_model_insert` AFTER INSERT ON `platforms`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `platforms_bumps_read_model_update` AFTER UPDATE ON `platforms`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `platforms_bumps_read_model_delete` AFTER DELETE ON `platforms`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `platform_status_bumps_read_model_insert` AFTER INSERT ON `platform_status`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `platform_status_bumps_read_model_update` AFTER UPDATE ON `platform_status`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `platform_status_bumps_read_model_delete` AFTER DELETE ON `platform_status`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `county_rollups_bumps_read_model_insert` AFTER INSERT ON `county_rollups`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `county_rollups_bumps_read_model_delete` AFTER DELETE ON `county_rollups`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `county_rollups_bumps_read_model_update` AFTER UPDATE ON `county_rollups`
  WHEN old.`schools_registered` IS NOT new.`schools_registered`
    OR old.`schools_connected` IS NOT new.`schools_connected`
    OR old.`schools_meeting_standard` IS NOT new.`schools_meeting_standard`
    OR old.`schools_declared_connected` IS NOT new.`schools_declared_connected`
    OR old.`declaration_conflicts` IS NOT new.`declaration_conflicts`
    OR old.`classrooms_registered` IS NOT new.`classrooms_registered`
    OR old.`classrooms_equipped` IS NOT new.`classrooms_equipped`
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
CREATE TRIGGER `schools_bumps_read_model_insert` AFTER INSERT ON `schools`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `schools_bumps_read_model_delete` AFTER DELETE ON `schools`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `schools_bumps_read_model_update` AFTER UPDATE OF `county_code`, `centre_school_code` ON `schools`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
