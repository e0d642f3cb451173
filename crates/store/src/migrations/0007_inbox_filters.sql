-- The dashboard's unread-warning figures count the caller's unread messages by
-- their warning's period, place, department, item, stage and applicant type.
-- A warning's stage, place, item and first raise never change, so each message
-- carries them: the count is one range of a partial index per user instead of
-- a join of every unread message to its warning (and each warning to its case),
-- which grew with the user's unread messages (BENCHMARKS.md, issue 5).
ALTER TABLE messages ADD COLUMN raised_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN stage TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN district_code TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN region_code TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN department_code TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN item_code TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN applicant_type TEXT NOT NULL DEFAULT 'person';

UPDATE messages SET
    raised_at = COALESCE((SELECT w.raised_at FROM warnings w WHERE w.id = messages.warning_id), 0),
    stage = COALESCE((SELECT w.stage FROM warnings w WHERE w.id = messages.warning_id), ''),
    district_code = COALESCE((SELECT w.district_code FROM warnings w WHERE w.id = messages.warning_id), ''),
    region_code = COALESCE((SELECT w.region_code FROM warnings w WHERE w.id = messages.warning_id), ''),
    department_code = COALESCE((SELECT w.department_code FROM warnings w WHERE w.id = messages.warning_id), ''),
    item_code = COALESCE((SELECT w.item_code FROM warnings w WHERE w.id = messages.warning_id), ''),
    applicant_type = COALESCE(
        (SELECT c.applicant_type FROM warnings w JOIN cases c ON c.case_code = w.case_code WHERE w.id = messages.warning_id),
        (SELECT q.applicant_type FROM warnings w JOIN consultations q ON q.code = w.case_code WHERE w.id = messages.warning_id),
        'person');

CREATE INDEX messages_unread_raised ON messages (user_id, raised_at, stage) WHERE read_at IS NULL;
