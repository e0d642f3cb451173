-- Issue 14, item 7: organisation master data for any city. Regions carry
-- free attributes and may be merged into another region: the merged row
-- stays (old records keep resolving its code and name) and points at its
-- successor. Every rename, merge and attribute change is kept in
-- region_history.
ALTER TABLE regions ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE regions ADD COLUMN merged_into TEXT;
CREATE TABLE region_history (
    id {{ID}},
    code TEXT NOT NULL,
    action TEXT NOT NULL,
    before_value TEXT NOT NULL,
    after_value TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX region_history_code ON region_history (code, id);

-- Issue 14, QC-3: operation logs of business systems (who did what to which
-- case, when), checks comparing a random sample of cases with them (visible
-- to their creator only, like quality runs) and the anomalous cases found.
CREATE TABLE operation_logs (
    id {{ID}},
    source TEXT NOT NULL,
    case_code TEXT NOT NULL,
    action TEXT NOT NULL,
    operator TEXT NOT NULL,
    at BIGINT NOT NULL,
    note TEXT,
    received_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX operation_logs_entry ON operation_logs (case_code, at, action, operator, source);
CREATE TABLE oplog_checks (
    id {{ID}},
    owner TEXT NOT NULL,
    period_from BIGINT NOT NULL,
    period_to BIGINT NOT NULL,
    region TEXT,
    sample_size BIGINT NOT NULL,
    cases_checked BIGINT NOT NULL,
    anomalous BIGINT NOT NULL,
    -- JSON object: anomalous cases per code.
    counts TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX oplog_checks_owner ON oplog_checks (owner, id);
CREATE TABLE oplog_anomalies (
    check_id BIGINT NOT NULL,
    case_code TEXT NOT NULL,
    code TEXT NOT NULL,
    district_code TEXT NOT NULL,
    region_code TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (check_id, case_code, code)
);

-- Scheduled quality runs (QC-2): a cron expression (Asia/Shanghai) and the
-- period each run covers (the `days` days before the run's day), in the
-- owner's scope frozen at creation; runs are created as the owner's.
CREATE TABLE quality_schedules (
    id {{ID}},
    owner TEXT NOT NULL,
    cron TEXT NOT NULL,
    days BIGINT NOT NULL,
    region TEXT,
    scope TEXT NOT NULL,
    last_run_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX quality_schedules_owner ON quality_schedules (owner, id);

-- Code lists (dictionaries) the quality checks read, managed centrally: each
-- refresh adds a version; the latest is in force, older ones stay readable.
CREATE TABLE code_lists (
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    -- JSON array of {"code","name"}.
    entries TEXT NOT NULL,
    source TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (code, version)
);
