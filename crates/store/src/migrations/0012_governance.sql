-- Data governance (issue 14).
--
-- Corrections from sources: every fact record carries the revision its source
-- gave it (0 when none). A record resent under the same key with a higher
-- revision and other content replaces the stored one; the content it replaced
-- is kept in record_history (shown on the case detail page).
--
-- Operators may mark a record erroneous (erroneous_reason NOT NULL): it stays
-- in the lists with a tag but drops out of figures and monitoring.

ALTER TABLE cases ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN erroneous_reason TEXT;
ALTER TABLE case_events ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE consultations ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE consultations ADD COLUMN erroneous_reason TEXT;
ALTER TABLE evaluations ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE evaluations ADD COLUMN erroneous_reason TEXT;
ALTER TABLE intake_stats ADD COLUMN corrected BIGINT NOT NULL DEFAULT 0;

CREATE TABLE record_history (
    id {{ID}},
    -- cases | case-events | consultations | evaluations
    kind TEXT NOT NULL,
    -- The record's natural key (a case event: <case_code>#<seq>).
    record_key TEXT NOT NULL,
    -- The case the record belongs to, when it names one (the detail page reads by it).
    case_code TEXT,
    -- The superseded content: its revision, fields (JSON), source and receipt.
    revision BIGINT NOT NULL,
    content TEXT NOT NULL,
    source TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    superseded_at BIGINT NOT NULL,
    superseded_by BIGINT NOT NULL
);
CREATE INDEX record_history_case ON record_history (case_code, id);
CREATE INDEX record_history_key ON record_history (kind, record_key, id);

-- Partial: only marked rows. The list totals ask whether any exist (the
-- dashboard's cube leaves them out, the lists show them).
CREATE INDEX cases_erroneous ON cases (district_code) WHERE erroneous_reason IS NOT NULL;
CREATE INDEX consultations_erroneous ON consultations (district_code) WHERE erroneous_reason IS NOT NULL;

-- Feed health and manifests (issue 14 item 6): when a (day, source, kind) last
-- received a batch, and what its source declared it sent that day (NULL: no
-- manifest). A manifest for a day nothing arrived creates the row with zeros,
-- so the lost batch shows in the reconciliation.
ALTER TABLE intake_stats ADD COLUMN last_received_at BIGINT;
ALTER TABLE intake_stats ADD COLUMN declared BIGINT;
ALTER TABLE intake_stats ADD COLUMN declared_at BIGINT;

-- Data quality runs (QC-2): a run checks the cases submitted in a period
-- within its creator's scope (frozen at creation, like export jobs) and is
-- visible to its creator only. Failures keep one row per (case, code).
CREATE TABLE quality_runs (
    id {{ID}},
    -- The creator's username.
    owner TEXT NOT NULL,
    period_from BIGINT NOT NULL,
    period_to BIGINT NOT NULL,
    region TEXT,
    scope TEXT NOT NULL,
    -- queued | running | done | failed
    state TEXT NOT NULL,
    cases_checked BIGINT NOT NULL DEFAULT 0,
    -- JSON objects: failing cases per code, and per (region, code).
    failures TEXT NOT NULL DEFAULT '{}',
    by_region TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX quality_runs_owner ON quality_runs (owner, id);

CREATE TABLE quality_failures (
    run_id BIGINT NOT NULL,
    case_code TEXT NOT NULL,
    code TEXT NOT NULL,
    district_code TEXT NOT NULL,
    region_code TEXT NOT NULL,
    department_code TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (run_id, case_code, code)
);
CREATE INDEX quality_failures_code ON quality_failures (run_id, code, case_code);
