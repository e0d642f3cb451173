-- Background export jobs (DASH-4): large list exports run one at a time by the
-- server's export runner, with the creator's data scope frozen at creation.

CREATE TABLE export_jobs (
    id {{ID}},
    owner TEXT NOT NULL,
    source TEXT NOT NULL,
    format TEXT NOT NULL,
    filters TEXT NOT NULL,
    scope TEXT NOT NULL,
    status TEXT NOT NULL,
    rows_done BIGINT NOT NULL DEFAULT 0,
    rows_total BIGINT NOT NULL DEFAULT 0,
    file_name TEXT,
    file_path TEXT,
    error TEXT,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT
);
CREATE INDEX export_jobs_owner ON export_jobs (owner, id);
CREATE INDEX export_jobs_status ON export_jobs (status, id);
CREATE INDEX export_jobs_created ON export_jobs (created_at);
