-- Windowed list pages read their filters from the index (issue 10).
--
-- A filter no index leads with (a status, applicant type, overdue flag, street,
-- channel, satisfaction, warning level/stage/rule, audit action …) is read in a
-- bounded window of the scope's list index (crates/store/src/list/window.rs).
-- When the filtered columns follow the index's sort key, SQLite tests them on
-- the index entry and reads the table row only for entries that match (its
-- deferred seek): a window of 2,000 entries then costs 2,000 index entries and
-- one table row per match instead of 2,000 table rows (measured at 1,000,000
-- cases: 2–6 ms → 0.2–0.3 ms per windowed page). The indexes below are the list
-- indexes of migration 0006 with those columns added after the sort key (the
-- same number of indexes for each write to maintain, each entry wider).

DROP INDEX cases_list_time;
DROP INDEX cases_list_district;
DROP INDEX cases_list_department;
DROP INDEX cases_list_item;
CREATE INDEX cases_list_time ON cases (submitted_at, case_code, status, applicant_type, overdue);
CREATE INDEX cases_list_district ON cases (district_code, submitted_at, case_code, status, applicant_type, overdue, region_code, department_code, item_code);
CREATE INDEX cases_list_department ON cases (department_code, submitted_at, case_code, status, applicant_type, overdue, region_code, item_code);
CREATE INDEX cases_list_item ON cases (item_code, submitted_at, case_code, status, applicant_type, overdue, region_code);

DROP INDEX consultations_list_time;
DROP INDEX consultations_list_district;
DROP INDEX consultations_list_department;
DROP INDEX consultations_list_item;
CREATE INDEX consultations_list_time ON consultations (asked_at, code, channel, linked_case_code);
CREATE INDEX consultations_list_district ON consultations (district_code, asked_at, code, channel, linked_case_code, region_code, item_code);
CREATE INDEX consultations_list_department ON consultations (department_code, asked_at, code, channel, linked_case_code, region_code, item_code);
CREATE INDEX consultations_list_item ON consultations (item_code, asked_at, code, channel, linked_case_code, region_code);

DROP INDEX evaluations_list_time;
DROP INDEX evaluations_list_district;
DROP INDEX evaluations_list_department;
CREATE INDEX evaluations_list_time ON evaluations (rated_at, evaluation_id, satisfaction);
CREATE INDEX evaluations_list_district ON evaluations (district_code, rated_at, evaluation_id, satisfaction, region_code);
CREATE INDEX evaluations_list_department ON evaluations (department_code, rated_at, evaluation_id, satisfaction, region_code);

DROP INDEX warnings_list_time;
DROP INDEX warnings_list_district;
DROP INDEX warnings_list_department;
DROP INDEX warnings_list_status;
DROP INDEX warnings_list_district_status;
CREATE INDEX warnings_list_time ON warnings (raised_at, id, status, level, stage, rule_code);
CREATE INDEX warnings_list_district ON warnings (district_code, raised_at, id, status, level, stage, rule_code, region_code, department_code, item_code);
CREATE INDEX warnings_list_department ON warnings (department_code, raised_at, id, status, level, stage, rule_code, region_code, item_code);
CREATE INDEX warnings_list_status ON warnings (status, raised_at, id, level, stage, rule_code);
CREATE INDEX warnings_list_district_status ON warnings (district_code, status, raised_at, id, level, stage, rule_code, region_code, department_code, item_code);

DROP INDEX messages_list_user;
DROP INDEX messages_unread_list;
CREATE INDEX messages_list_user ON messages (user_id, created_at, id, level, read_at);
CREATE INDEX messages_unread_list ON messages (user_id, created_at, id, level) WHERE read_at IS NULL;

-- The audit log: time order is chain order (see `append_audit!`), so both
-- sorts read these; one actor reads the second.
DROP INDEX audit_log_actor;
DROP INDEX audit_log_list_at;
CREATE INDEX audit_log_list_at ON audit_log (at_ms, seq, action, result, object_type);
CREATE INDEX audit_log_list_actor ON audit_log (actor, at_ms, seq, action, result, object_type);

-- Work orders (the workbench): type, state, unit and due time after the sort
-- key of the created-at indexes, which every view reads by default. The index
-- of (type, state) pairs goes: with statistics SQLite chose it for any type
-- filter and sorted every order of the type (0.3–0.5 s at 1,000,000 orders);
-- 我的待办 reads windows of the scope's index like every other filter.
DROP INDEX work_orders_todo;
DROP INDEX work_orders_list_time;
DROP INDEX work_orders_list_district;
DROP INDEX work_orders_list_department;
DROP INDEX work_orders_list_creator;
CREATE INDEX work_orders_list_time ON work_orders (created_at, code, order_type, state, department_code, due_at);
CREATE INDEX work_orders_list_district ON work_orders (district_code, created_at, code, order_type, state, department_code, due_at);
CREATE INDEX work_orders_list_department ON work_orders (department_code, created_at, code, order_type, state, due_at);
CREATE INDEX work_orders_list_creator ON work_orders (created_by, created_at, code, order_type, state, department_code, due_at);
