-- Issue 13, IND-2: every save of an indicator warning rule is a version,
-- kept like the indicator and scheme versions. The rules saved before this
-- migration start their history with the version they are at.
CREATE TABLE indicator_alert_rule_versions (
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (code, version)
);
INSERT INTO indicator_alert_rule_versions (code, version, name, definition, created_at, created_by)
SELECT code, version, name, definition, updated_at, updated_by FROM indicator_alert_rules;

-- Issue 14, QC-1: where a code list refreshes from (an http(s) URL, checked
-- against the security admin's outbound allowlist) and when (a cron in
-- Asia/Shanghai, swept with the quality schedules), with the last refresh's
-- outcome (`ok`, `unchanged` or `error` with its message). `claimed_minute`
-- keeps two sweeps from refreshing the same minute twice.
CREATE TABLE code_list_sources (
    code TEXT PRIMARY KEY,
    source_url TEXT,
    schedule TEXT,
    claimed_minute BIGINT,
    last_refresh_at BIGINT,
    last_outcome TEXT,
    last_message TEXT,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
