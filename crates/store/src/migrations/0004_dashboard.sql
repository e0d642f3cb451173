-- Dashboard (DASH-1..5). Figures are aggregated in memory per (district, day)
-- partition; this log tells every server process which partitions changed.
-- Intake and the evaluator append to it in the same transaction as the change,
-- so no acknowledged record is ever missing from the figures.

-- Whether any stage clock of the case ran past its deadline (kept by the
-- evaluator, which also wakes at each running deadline).
ALTER TABLE cases ADD COLUMN overdue BOOLEAN NOT NULL DEFAULT FALSE;

CREATE INDEX cases_district_time ON cases (district_code, submitted_at);
CREATE INDEX consultations_district_time ON consultations (district_code, asked_at);
CREATE INDEX warnings_district_time ON warnings (district_code, raised_at);

-- kind: cases | consultations | warnings; day: local (UTC+8) day number.
CREATE TABLE dashboard_changes (
    seq {{ID}},
    kind TEXT NOT NULL,
    district_code TEXT NOT NULL,
    day BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX dashboard_changes_at ON dashboard_changes (at);
