-- Work orders (issue 12): one engine for every order type (item changes,
-- complaints, 差评 follow-up). Types are data in govpulse-core; rows here
-- carry the order's state, responsible unit and clock.
--
-- Scope and lists as for the fact tables (0006_lists.sql): district_code
-- (the region's first six digits) leads the list indexes, followed by the
-- sort column and the code, so a district's page is one index range; a
-- department's page leads with department_code.

CREATE TABLE work_orders (
    code TEXT PRIMARY KEY,
    order_type TEXT NOT NULL,
    state TEXT NOT NULL,
    title TEXT NOT NULL,
    -- What the order is about: item, case, evaluation, complaint …
    subject_kind TEXT NOT NULL,
    subject_ref TEXT NOT NULL,
    -- What opened it (notice:<id>, complaint:<id>, evaluation:<id>): at most one order each.
    source_key TEXT NOT NULL UNIQUE,
    district_code TEXT NOT NULL,
    region_code TEXT NOT NULL,
    -- The responsible unit.
    department_code TEXT NOT NULL,
    class_code TEXT,
    -- Type-specific fields (JSON object).
    data TEXT NOT NULL,
    due_at BIGINT,
    clock_started_at BIGINT NOT NULL,
    suspended_days BIGINT NOT NULL DEFAULT 0,
    paused_at BIGINT,
    -- The overdue warning of the current due time has been raised.
    overdue_warned BOOLEAN NOT NULL DEFAULT FALSE,
    -- Optimistic concurrency: every step compares and bumps it.
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX work_orders_list_time ON work_orders (created_at, code);
CREATE INDEX work_orders_list_district ON work_orders (district_code, created_at, code);
CREATE INDEX work_orders_list_department ON work_orders (department_code, created_at, code);
CREATE INDEX work_orders_list_creator ON work_orders (created_by, created_at, code);
CREATE INDEX work_orders_subject ON work_orders (subject_kind, subject_ref);
-- The overdue sweep reads only orders due and not yet warned: its cost grows
-- with the orders falling due, not with the orders open.
CREATE INDEX work_orders_due ON work_orders (due_at) WHERE due_at IS NOT NULL AND overdue_warned = FALSE;

-- Every step, append-only (triggers per backend).
CREATE TABLE work_order_timeline (
    id {{ID}},
    order_code TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    unit_code TEXT,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    comment TEXT,
    fields TEXT NOT NULL,
    attachments TEXT NOT NULL
);
CREATE INDEX work_order_timeline_order ON work_order_timeline (order_code, id);
CREATE INDEX work_order_timeline_actor ON work_order_timeline (actor, order_code);

-- Attachments: content stored once per SHA-256, named per order.
CREATE TABLE attachment_blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content {{BLOB}} NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE work_order_attachments (
    id {{ID}},
    order_code TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX work_order_attachments_order ON work_order_attachments (order_code, id);

-- The three-level complaint classification operators maintain.
CREATE TABLE complaint_classes (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent_code TEXT,
    level INTEGER NOT NULL,
    updated_at BIGINT NOT NULL
);
