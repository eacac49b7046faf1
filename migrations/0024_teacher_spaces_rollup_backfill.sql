-- Decision 164: a school's declared teacher spaces (人人通) are copied into its status row by its evaluation and
-- summed into the rollups of every level like its other figures. This fills both from what was declared before.
UPDATE `school_status` SET
  `teachers` = (SELECT t.`teachers` FROM `teacher_spaces` t WHERE t.`school_code` = `school_status`.`school_code`),
  `teacher_spaces_opened` = (SELECT t.`spaces_opened` FROM `teacher_spaces` t WHERE t.`school_code` = `school_status`.`school_code`),
  `teacher_spaces_verified` = (SELECT t.`spaces_verified` FROM `teacher_spaces` t WHERE t.`school_code` = `school_status`.`school_code`);
--> statement-breakpoint
-- A division's own schools first (only a school unit has any), then each level adds its children's rows, deepest first.
UPDATE `division_rollups` SET
  `teachers` = (SELECT coalesce(sum(s.`teachers`), 0) FROM `school_status` s WHERE s.`county_code` = `division_rollups`.`division_code`),
  `teacher_spaces_opened` = (SELECT coalesce(sum(s.`teacher_spaces_opened`), 0) FROM `school_status` s WHERE s.`county_code` = `division_rollups`.`division_code`),
  `teacher_spaces_verified` = (SELECT coalesce(sum(s.`teacher_spaces_verified`), 0) FROM `school_status` s WHERE s.`county_code` = `division_rollups`.`division_code`),
  `schools_declaring_teacher_spaces` = (SELECT count(s.`teachers`) FROM `school_status` s WHERE s.`county_code` = `division_rollups`.`division_code`);
--> statement-breakpoint
UPDATE `division_rollups` SET
  `teachers` = `teachers` + (SELECT coalesce(sum(r.`teachers`), 0) FROM `divisions` d JOIN `division_rollups` r ON r.`division_code` = d.`code`
    WHERE d.`parent_code` = `division_rollups`.`division_code`),
  `teacher_spaces_opened` = `teacher_spaces_opened` + (SELECT coalesce(sum(r.`teacher_spaces_opened`), 0) FROM `divisions` d JOIN `division_rollups` r ON r.`division_code` = d.`code`
    WHERE d.`parent_code` = `division_rollups`.`division_code`),
  `teacher_spaces_verified` = `teacher_spaces_verified` + (SELECT coalesce(sum(r.`teacher_spaces_verified`), 0) FROM `divisions` d JOIN `division_rollups` r ON r.`division_code` = d.`code`
    WHERE d.`parent_code` = `division_rollups`.`division_code`),
  `schools_declaring_teacher_spaces` = `schools_declaring_teacher_spaces` + (SELECT coalesce(sum(r.`schools_declaring_teacher_spaces`), 0) FROM `divisions` d JOIN `division_rollups` r ON r.`division_code` = d.`code`
    WHERE d.`parent_code` = `division_rollups`.`division_code`)
WHERE `division_code` IN (SELECT `code` FROM `divisions` WHERE `level` = 'prefecture');
--> statement-breakpoint
UPDATE `division_rollups` SET
  `teachers` = `teachers` + (SELECT coalesce(sum(r.`teachers`), 0) FROM `divisions` d JOIN `division_rollups` r ON r.`division_code` = d.`code`
    WHERE d.`parent_code` = `division_rollups`.`division_code`),
  `teacher_spaces_opened` = `teacher_spaces_opened` + (SELECT coalesce(sum(r.`teacher_spaces_opened`), 0) FROM `divisions` d JOIN `division_rollups` r ON r.`division_code` = d.`code`
    WHERE d.`parent_code` = `division_rollups`.`division_code`),
  `teacher_spaces_verified` = `teacher_spaces_verified` + (SELECT coalesce(sum(r.`teacher_spaces_verified`), 0) FROM `divisions` d JOIN `division_rollups` r ON r.`division_code` = d.`code`
    WHERE d.`parent_code` = `division_rollups`.`division_code`),
  `schools_declaring_teacher_spaces` = `schools_declaring_teacher_spaces` + (SELECT coalesce(sum(r.`schools_declaring_teacher_spaces`), 0) FROM `divisions` d JOIN `division_rollups` r ON r.`division_code` = d.`code`
    WHERE d.`parent_code` = `division_rollups`.`division_code`)
WHERE `division_code` IN (SELECT `code` FROM `divisions` WHERE `level` = 'province');
--> statement-breakpoint
UPDATE `division_rollups` SET
  `teachers` = `teachers` + (SELECT coalesce(sum(r.`teachers`), 0) FROM `divisions` d JOIN `division_rollups` r ON r.`division_code` = d.`code`
    WHERE d.`parent_code` = `division_rollups`.`division_code`),
  `teacher_spaces_opened` = `teacher_spaces_opened` + (SELECT coalesce(sum(r.`teacher_spaces_opened`), 0) FROM `divisions` d JOIN `division_rollups` r ON r.`division_code` = d.`code`
    WHERE d.`parent_code` = `division_rollups`.`division_code`),
  `teacher_spaces_verified` = `teacher_spaces_verified` + (SELECT coalesce(sum(r.`teacher_spaces_verified`), 0) FROM `divisions` d JOIN `division_rollups` r ON r.`division_code` = d.`code`
    WHERE d.`parent_code` = `division_rollups`.`division_code`),
  `schools_declaring_teacher_spaces` = `schools_declaring_teacher_spaces` + (SELECT coalesce(sum(r.`schools_declaring_teacher_spaces`), 0) FROM `divisions` d JOIN `division_rollups` r ON r.`division_code` = d.`code`
    WHERE d.`parent_code` = `division_rollups`.`division_code`)
WHERE `division_code` IN (SELECT `code` FROM `divisions` WHERE `level` = 'country');
--> statement-breakpoint
-- The rollup's new figures move the read-model version like the others (migration 0020 listed the others).
DROP TRIGGER `division_rollups_bumps_read_model_update`;
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
    OR old.`teachers` IS NOT new.`teachers`
    OR old.`teacher_spaces_opened` IS NOT new.`teacher_spaces_opened`
    OR old.`teacher_spaces_verified` IS NOT new.`teacher_spaces_verified`
    OR old.`schools_declaring_teacher_spaces` IS NOT new.`schools_declaring_teacher_spaces`
BEGIN
  UPDATE `read_model_version` SET `version` = `version` + 1 WHERE `id` = 1;
END;
