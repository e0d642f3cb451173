-- Monitoring and early warning (MON-1..8): calendar years, warning rules with
-- versions, warnings with their history, the deadline index, inbox messages,
-- subscriptions and webhook deliveries.
-- Sharding note (Citus): warnings, warning_history and monitor_due carry or are
-- keyed by the case's subject; warnings hold district_code for distribution.

CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    days TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE warning_rules (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    stage TEXT NOT NULL,
    rule_type TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    builtin BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE warning_rule_versions (
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (code, version)
);

CREATE TABLE warnings (
    id {{ID}},
    rule_code TEXT NOT NULL,
    rule_version BIGINT NOT NULL,
    subject_key TEXT NOT NULL,
    case_code TEXT NOT NULL,
    stage TEXT NOT NULL,
    district_code TEXT NOT NULL,
    region_code TEXT NOT NULL,
    department_code TEXT NOT NULL,
    item_code TEXT NOT NULL,
    level TEXT NOT NULL,
    level_rank INTEGER NOT NULL,
    level_name TEXT NOT NULL,
    colour TEXT NOT NULL,
    status TEXT NOT NULL,
    raised_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    handle_deadline BIGINT NOT NULL,
    closed_at BIGINT,
    close_reason TEXT,
    note TEXT,
    UNIQUE (rule_code, subject_key)
);
CREATE INDEX warnings_subject ON warnings (subject_key);
CREATE INDEX warnings_case ON warnings (case_code);
CREATE INDEX warnings_time ON warnings (raised_at);
CREATE INDEX warnings_region_time ON warnings (region_code, raised_at);
CREATE INDEX warnings_department_time ON warnings (department_code, raised_at);
CREATE INDEX warnings_rule_status ON warnings (rule_code, status);

CREATE TABLE warning_history (
    id {{ID}},
    warning_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    level TEXT NOT NULL,
    status TEXT NOT NULL,
    actor TEXT NOT NULL,
    note TEXT
);
CREATE INDEX warning_history_warning ON warning_history (warning_id, at);

-- The deadline index: the next instant each subject must be re-evaluated
-- (0 = at once: an event arrived or a rule or the calendar changed).
CREATE TABLE monitor_due (
    subject_key TEXT PRIMARY KEY,
    due_at BIGINT NOT NULL
);
CREATE INDEX monitor_due_at ON monitor_due (due_at);

CREATE TABLE messages (
    id {{ID}},
    user_id BIGINT NOT NULL,
    warning_id BIGINT NOT NULL,
    level TEXT NOT NULL,
    colour TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX messages_user ON messages (user_id, created_at);
CREATE INDEX messages_unread ON messages (user_id, level) WHERE read_at IS NULL;

CREATE TABLE subscriptions (
    id {{ID}},
    user_id BIGINT NOT NULL,
    rule_code TEXT,
    region_code TEXT,
    level TEXT
);
CREATE INDEX subscriptions_user ON subscriptions (user_id);

CREATE TABLE webhook_deliveries (
    id {{ID}},
    rule_code TEXT NOT NULL,
    warning_id BIGINT NOT NULL,
    url TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT,
    last_status INTEGER,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX webhook_deliveries_rule ON webhook_deliveries (rule_code, created_at);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
