-- Data aggregation: item catalogue, consultation codes, consultations, cases,
-- case events, evaluations, collection rules, reconciliation.
-- Fact tables carry district_code (first six digits of region_code): the
-- distribution column when sharding by region (docs/scaling.md).

CREATE TABLE items (
    item_code TEXT NOT NULL,
    version INTEGER NOT NULL,
    is_current BOOLEAN NOT NULL,
    basic_code TEXT NOT NULL,
    name TEXT NOT NULL,
    item_type_code TEXT NOT NULL,
    exercise_level TEXT,
    department_code TEXT NOT NULL,
    department_name TEXT,
    region_code TEXT NOT NULL,
    legal_limit INTEGER,
    promised_limit INTEGER,
    limit_unit TEXT NOT NULL,
    case_type_code INTEGER NOT NULL,
    handling_modes TEXT NOT NULL,
    materials TEXT NOT NULL,
    elements TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    valid_from BIGINT NOT NULL,
    valid_to BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (item_code, version)
);
CREATE INDEX items_current_region ON items (is_current, region_code);
CREATE INDEX items_current_department ON items (is_current, department_code);

CREATE TABLE consultation_codes (
    channel TEXT NOT NULL,
    request_id TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    district_code TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    PRIMARY KEY (channel, request_id)
);

CREATE TABLE code_counters (
    district_code TEXT NOT NULL,
    day TEXT NOT NULL,
    channel TEXT NOT NULL,
    last_serial BIGINT NOT NULL,
    PRIMARY KEY (district_code, day, channel)
);

CREATE TABLE consultations (
    code TEXT PRIMARY KEY,
    district_code TEXT NOT NULL,
    region_code TEXT NOT NULL,
    department_code TEXT,
    channel TEXT NOT NULL,
    asked_at BIGINT NOT NULL,
    applicant_type TEXT NOT NULL,
    applicant_key TEXT,
    applicant_enc TEXT,
    applicant_masked TEXT,
    item_code TEXT,
    question TEXT NOT NULL,
    answer TEXT,
    linked_case_code TEXT,
    source TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX consultations_applicant ON consultations (applicant_key, asked_at);
CREATE INDEX consultations_region_time ON consultations (region_code, asked_at);
CREATE INDEX consultations_time ON consultations (asked_at);
-- Partial: only linked rows. An index that also held the unlinked (NULL) rows
-- tempts planners to walk all of them when linking a batch, at a cost growing
-- with the table.
CREATE INDEX consultations_linked ON consultations (linked_case_code) WHERE linked_case_code IS NOT NULL;

CREATE TABLE cases (
    case_code TEXT PRIMARY KEY,
    district_code TEXT NOT NULL,
    region_code TEXT NOT NULL,
    department_code TEXT NOT NULL,
    item_code TEXT NOT NULL,
    item_version INTEGER NOT NULL,
    applicant_type TEXT NOT NULL,
    applicant_key TEXT NOT NULL,
    applicant_enc TEXT NOT NULL,
    applicant_masked TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    channel TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    handling_mode TEXT,
    remark TEXT,
    status TEXT NOT NULL,
    accepted_at BIGINT,
    completed_at BIGINT,
    last_event_at BIGINT,
    consultations INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX cases_region_time ON cases (region_code, submitted_at);
CREATE INDEX cases_department_time ON cases (department_code, submitted_at);
CREATE INDEX cases_time ON cases (submitted_at);
CREATE INDEX cases_applicant ON cases (applicant_key, submitted_at);

CREATE TABLE case_events (
    case_code TEXT NOT NULL,
    seq BIGINT NOT NULL,
    district_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    special_kind TEXT,
    operator TEXT,
    note TEXT,
    out_of_order BOOLEAN NOT NULL,
    source TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (case_code, seq)
);

CREATE TABLE evaluations (
    evaluation_id TEXT PRIMARY KEY,
    district_code TEXT NOT NULL,
    region_code TEXT NOT NULL,
    department_code TEXT,
    case_code TEXT,
    channel TEXT NOT NULL,
    rated_at BIGINT NOT NULL,
    satisfaction INTEGER NOT NULL,
    comment TEXT,
    source TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX evaluations_region_time ON evaluations (region_code, rated_at);
CREATE INDEX evaluations_case ON evaluations (case_code);

CREATE TABLE sources (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kinds TEXT NOT NULL,
    rules TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE intake_stats (
    day TEXT NOT NULL,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    received BIGINT NOT NULL,
    accepted BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    rejected_by_code TEXT NOT NULL,
    PRIMARY KEY (day, source, kind)
);
