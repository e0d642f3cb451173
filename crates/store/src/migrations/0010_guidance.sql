-- Situational guidance and tolerance acceptance (issue 15, SPEC GUIDE-1..3).

-- A situation tree: its versions hold the content (JSON, core::guidance::TreeBody).
-- `latest_version` is the newest version (a draft while it is newer than
-- `published_version`); answering reads `published_version` only.
CREATE TABLE guidance_trees (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    latest_version BIGINT NOT NULL,
    published_version BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    published_at BIGINT
);
CREATE INDEX guidance_trees_updated ON guidance_trees (updated_at, code);

CREATE TABLE guidance_tree_versions (
    tree_code TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    -- draft | published | superseded
    state TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    published_by TEXT,
    published_at BIGINT,
    PRIMARY KEY (tree_code, version)
);

-- Materials of published trees that may be missing at acceptance, per item
-- (rewritten for a tree when it is published).
CREATE TABLE guidance_tolerable (
    item_code TEXT NOT NULL,
    material_code TEXT NOT NULL,
    tree_code TEXT NOT NULL,
    material_name TEXT NOT NULL,
    PRIMARY KEY (item_code, material_code, tree_code)
);
CREATE INDEX guidance_tolerable_tree ON guidance_tolerable (tree_code);

-- One row per public answer (statistics: answers per tree and path).
CREATE TABLE guidance_answers (
    id {{ID}},
    tree_code TEXT NOT NULL,
    version BIGINT NOT NULL,
    path TEXT NOT NULL,
    answered_at BIGINT NOT NULL
);
CREATE INDEX guidance_answers_tree ON guidance_answers (tree_code, path);

-- The dishonest-entity list (失信名单): keyed hashes like applicants, an
-- encrypted copy and the masked form; one entry per (applicant, source).
CREATE TABLE dishonest_entries (
    id {{ID}},
    applicant_key TEXT NOT NULL,
    applicant_enc TEXT NOT NULL,
    applicant_masked TEXT NOT NULL,
    listed_at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    UNIQUE (applicant_key, source)
);
CREATE INDEX dishonest_entries_list ON dishonest_entries (received_at, id);

-- Tolerance acceptances (容缺受理): scoped like cases.
CREATE TABLE tolerance_cases (
    id {{ID}},
    case_code TEXT NOT NULL,
    district_code TEXT NOT NULL,
    region_code TEXT NOT NULL,
    department_code TEXT NOT NULL,
    item_code TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_masked TEXT NOT NULL,
    -- JSON [{code, name}]
    missing TEXT NOT NULL,
    commitment TEXT NOT NULL,
    commitment_signed_at BIGINT NOT NULL,
    deadline_days INTEGER NOT NULL,
    due_at BIGINT NOT NULL,
    -- open | completed
    status TEXT NOT NULL,
    completed_at BIGINT,
    overdue_warned BOOLEAN NOT NULL DEFAULT FALSE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX tolerance_cases_list ON tolerance_cases (created_at, id);
CREATE INDEX tolerance_cases_list_district ON tolerance_cases (district_code, created_at, id);
CREATE INDEX tolerance_cases_list_department ON tolerance_cases (department_code, created_at, id);
CREATE INDEX tolerance_cases_case ON tolerance_cases (case_code, status);
-- The overdue sweep reads only open acceptances not yet warned.
CREATE INDEX tolerance_cases_due ON tolerance_cases (due_at) WHERE status = 'open' AND overdue_warned = FALSE;

-- Missing materials of each acceptance (statistics: most-missed materials).
CREATE TABLE tolerance_missing (
    tolerance_id BIGINT NOT NULL,
    material_code TEXT NOT NULL,
    material_name TEXT NOT NULL
);
CREATE INDEX tolerance_missing_case ON tolerance_missing (tolerance_id);
