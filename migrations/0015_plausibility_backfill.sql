-- Decision 085: download claims stored before flags existed get the flag their own report earns
-- (the rule of server/coverage/plausibility.ts: faster than the PC's up, non-virtual links when each
-- states a speed, or than 10,000 Mbps), so an old forged claim stops counting too.
WITH `links` AS (
  SELECT r.`id`, r.`down_mbps` AS `down`, (
    SELECT CASE WHEN count(*) = 0 OR sum(coalesce(json_extract(i.value, '$.speedMbps'), 0) <= 0) > 0 THEN NULL
                ELSE max(json_extract(i.value, '$.speedMbps')) END
    FROM json_each(r.`body`, '$.network.interfaces') i
    WHERE json_extract(i.value, '$.up') = 1 AND json_extract(i.value, '$.type') <> 'virtual'
  ) AS `link`
  FROM `reports` r WHERE r.`down_mbps` IS NOT NULL
)
UPDATE `reports` SET `down_flag` = CASE
    WHEN `links`.`link` IS NOT NULL AND `links`.`down` > `links`.`link` THEN 'above-link'
    WHEN `links`.`down` > 10000 THEN 'above-cap'
  END
FROM `links` WHERE `links`.`id` = `reports`.`id`;
--> statement-breakpoint
-- Every school is due now: the aging sweep (and verify, which runs it first) evaluates each in full under
-- the new rules, filling bandwidth_source and the flag counts.
UPDATE `school_status` SET `next_change_at` = 0;
