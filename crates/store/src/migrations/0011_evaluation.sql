-- Quality and efficiency evaluation (IND-1, SCORE-1..3, EVAL-1/3): the
-- indicator library and scoring schemes with every version kept, evaluation
-- runs (test or official) and the archive of published runs.

-- The current version of each indicator; `definition` is its whole JSON
-- (core::evaluation::indicators::IndicatorDef), the other columns serve lists.
CREATE TABLE indicators (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level INTEGER NOT NULL,
    parent_code TEXT,
    state TEXT NOT NULL,
    builtin BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX indicators_list_code ON indicators (level, code);
CREATE INDEX indicators_list_updated ON indicators (updated_at, code);

CREATE TABLE indicator_versions (
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (code, version)
);

-- The shared scheme library (赋分规则模板库); `definition` is
-- core::evaluation::scoring::Scheme.
CREATE TABLE scoring_schemes (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    unit_level TEXT NOT NULL,
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE scoring_scheme_versions (
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (code, version)
);

-- A scored period. `results` holds every unit's scores, ranks and trace;
-- `units` each unit's region (for scope checks); test runs never publish.
CREATE TABLE evaluation_runs (
    id {{ID}},
    scheme_code TEXT NOT NULL,
    scheme_version BIGINT NOT NULL,
    period TEXT NOT NULL,
    unit_level TEXT NOT NULL,
    mode TEXT NOT NULL,
    data_version TEXT NOT NULL,
    results TEXT NOT NULL,
    units TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX evaluation_runs_list ON evaluation_runs (created_at, id);

-- Published snapshots: written once, never updated; `sha256` is over the
-- canonical serialisation of `snapshot` (core::evaluation::archive).
CREATE TABLE evaluation_archives (
    id {{ID}},
    run_id BIGINT NOT NULL UNIQUE,
    period TEXT NOT NULL,
    scheme_code TEXT NOT NULL,
    archived_at BIGINT NOT NULL,
    archived_by TEXT NOT NULL,
    data_version TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    sha256 TEXT NOT NULL
);
