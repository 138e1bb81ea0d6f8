-- +goose Up
-- The day-after rating becomes a survey (SPEC C4, C13): an occurrence's
-- one-question satisfaction survey, anonymous, to those who came, so that
-- events feed the same satisfaction rate (满意率) as the association's
-- surveys. One survey per occurrence.
ALTER TABLE `surveys` ADD COLUMN `event_id` integer;
ALTER TABLE `surveys` ADD COLUMN `occurrence` datetime;
CREATE UNIQUE INDEX `idx_surveys_event` ON `surveys`(`event_id`,`occurrence`);
-- Each occurrence rated, or whose rating question was planned, gets its
-- survey, open for a week after it as the question was. The rating
-- question's buttons, in messages sent before, answer it.
INSERT INTO `surveys` (`title`, `audience`, `anonymous`, `opens_at`, `closes_at`, `remind_hours`, `event_id`, `occurrence`, `created_at`)
SELECT substr(e.`title`, 1, 100), e.`audience`, true, o.`occurrence`,
       strftime('%Y-%m-%d %H:%M:%S', o.`occurrence`, '+7 days') || '+00:00', 0, o.`event_id`, o.`occurrence`, o.`occurrence`
FROM (SELECT `event_id`, `occurrence` FROM `rsvps` WHERE `rating` IS NOT NULL
      UNION
      SELECT `event_id`, `occurrence` FROM `outboxes` WHERE `kind` = 'event.rate' AND `event_id` IS NOT NULL AND `occurrence` IS NOT NULL) o
JOIN `events` e ON e.`id` = o.`event_id`
ORDER BY o.`occurrence`, o.`event_id`;
INSERT INTO `survey_questions` (`survey_id`, `position`, `kind`, `text`, `options`)
SELECT `id`, 1, 'satisfaction', `title`, '' FROM `surveys` WHERE `event_id` IS NOT NULL;
-- Asked: those who came (checked in, or, when nobody was, a yes with a
-- place: models.Came) who have not left, and those who rated. Who answered is kept apart
-- from what, as in every anonymous survey.
INSERT INTO `survey_takers` (`survey_id`, `member_id`, `branch_id`, `answered`, `finished_at`)
SELECT s.`id`, m.`id`, m.`branch_id`,
       CASE WHEN r.`rating` IS NULL THEN 0 ELSE 1 END,
       CASE WHEN r.`rating` IS NULL THEN NULL ELSE s.`opens_at` END
FROM `surveys` s
JOIN `rsvps` r ON r.`event_id` = s.`event_id` AND r.`occurrence` = s.`occurrence`
JOIN `members` m ON m.`id` = r.`member_id`
WHERE s.`event_id` IS NOT NULL AND (r.`rating` IS NOT NULL OR m.`status` <> 'left')
  AND (r.`rating` IS NOT NULL OR r.`checked_in`
       OR (r.`answer` = 'yes' AND NOT r.`waitlisted`
           AND NOT EXISTS (SELECT 1 FROM `rsvps` x WHERE x.`event_id` = r.`event_id` AND x.`occurrence` = r.`occurrence` AND x.`checked_in`)));
-- The ratings as answers: 5 stars 非常满意 (1) … 1 star 很不满意 (5), each
-- under a random ballot, in a random order, with no member and no time of
-- its own.
INSERT INTO `survey_answers` (`survey_id`, `question_id`, `branch_id`, `member_id`, `ballot`, `choice`, `updated_at`)
SELECT s.`id`, q.`id`, m.`branch_id`, NULL, lower(hex(randomblob(12))), 6 - r.`rating`, s.`opens_at`
FROM `surveys` s
JOIN `survey_questions` q ON q.`survey_id` = s.`id`
JOIN `rsvps` r ON r.`event_id` = s.`event_id` AND r.`occurrence` = s.`occurrence`
JOIN `members` m ON m.`id` = r.`member_id`
WHERE s.`event_id` IS NOT NULL AND r.`rating` BETWEEN 1 AND 5
ORDER BY random();
ALTER TABLE `rsvps` DROP COLUMN `rating`;
