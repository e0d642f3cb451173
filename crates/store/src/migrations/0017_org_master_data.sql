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
