-- Indicator warning rules (IND-2): `definition` is the whole JSON
-- (core::evaluation::alerts::AlertRule); the other columns serve the list
-- (search by name, state, level: `levels` is `,red,yellow,`) and the
-- scheduler (`next_run_at`, from the rule's cron). Their warnings go to the
-- `warnings` table as rule `ind:<code>`.
CREATE TABLE indicator_alert_rules (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    indicator_code TEXT NOT NULL,
    state TEXT NOT NULL,
    levels TEXT NOT NULL,
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    next_run_at BIGINT,
    last_run_at BIGINT,
    last_period TEXT,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX indicator_alert_rules_list_updated ON indicator_alert_rules (updated_at, code);
CREATE INDEX indicator_alert_rules_due ON indicator_alert_rules (state, next_run_at);
