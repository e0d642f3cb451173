-- The list mechanism (crates/store/src/list.rs): one index per list scope
-- prefix, followed by the sort column and the unique tie-breaker, so a page
-- (first, deep or after a cursor) is a range read of one index whatever the
-- planner statistics say. Scopes reach fact tables as an equality on
-- district_code (a district), department_code, item_code or user_id; a city
-- scope uses the prefix-free (sort, tie) index.
--
-- Indexes led by region_code are dropped: a range on them is the plan a
-- planner without statistics preferred, and it then sorted a whole district.

DROP INDEX IF EXISTS cases_region_time;
DROP INDEX IF EXISTS cases_department_time;
DROP INDEX IF EXISTS cases_time;
DROP INDEX IF EXISTS cases_district_time;
CREATE INDEX cases_list_time ON cases (submitted_at, case_code);
CREATE INDEX cases_list_district ON cases (district_code, submitted_at, case_code);
CREATE INDEX cases_list_department ON cases (department_code, submitted_at, case_code);
CREATE INDEX cases_list_item ON cases (item_code, submitted_at, case_code);

DROP INDEX IF EXISTS consultations_region_time;
DROP INDEX IF EXISTS consultations_time;
DROP INDEX IF EXISTS consultations_district_time;
CREATE INDEX consultations_list_time ON consultations (asked_at, code);
CREATE INDEX consultations_list_district ON consultations (district_code, asked_at, code);
CREATE INDEX consultations_list_department ON consultations (department_code, asked_at, code);
CREATE INDEX consultations_list_item ON consultations (item_code, asked_at, code);

DROP INDEX IF EXISTS evaluations_region_time;
CREATE INDEX evaluations_list_time ON evaluations (rated_at, evaluation_id);
CREATE INDEX evaluations_list_district ON evaluations (district_code, rated_at, evaluation_id);
CREATE INDEX evaluations_list_department ON evaluations (department_code, rated_at, evaluation_id);

DROP INDEX IF EXISTS warnings_time;
DROP INDEX IF EXISTS warnings_region_time;
DROP INDEX IF EXISTS warnings_department_time;
DROP INDEX IF EXISTS warnings_district_time;
CREATE INDEX warnings_list_time ON warnings (raised_at, id);
CREATE INDEX warnings_list_district ON warnings (district_code, raised_at, id);
CREATE INDEX warnings_list_department ON warnings (department_code, raised_at, id);
-- Most warning lists ask for one status (the open ones): keep it in the prefix.
CREATE INDEX warnings_list_status ON warnings (status, raised_at, id);
CREATE INDEX warnings_list_district_status ON warnings (district_code, status, raised_at, id);

DROP INDEX IF EXISTS messages_user;
CREATE INDEX messages_list_user ON messages (user_id, created_at, id);

DROP INDEX IF EXISTS audit_log_at;
CREATE INDEX audit_log_list_at ON audit_log (at_ms, seq);

-- Items: the case and consultation lists join the current version of an item
-- by item_code. An index led by is_current invited planners to walk every
-- current item for each row; item lists scope by region or department.
DROP INDEX IF EXISTS items_current_region;
DROP INDEX IF EXISTS items_current_department;
CREATE INDEX items_region ON items (region_code, item_code);
CREATE INDEX items_department ON items (department_code, item_code);

DROP INDEX IF EXISTS webhook_deliveries_rule;
CREATE INDEX webhook_deliveries_list_rule ON webhook_deliveries (rule_code, created_at, id);
