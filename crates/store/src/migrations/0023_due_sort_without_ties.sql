-- Orders without a due time sorted by due time tied on one value (0021): about
-- 600,000 of 1,000,000 closed orders. PostgreSQL's btree stops a scan on a
-- row-value bound only by its first column, so a due-time page whose window
-- edge fell inside that run walked the rest of the run: 2,532 index pages and
-- 140 ms for an empty page, against 16 pages and 0.4 ms once the run is gone
-- (1,000,000 rows, PostgreSQL 15). They now sort after every due time, oldest
-- first; orders created in the same millisecond still tie, on code.
DROP INDEX work_orders_list_due;
DROP INDEX work_orders_list_district_due;
DROP INDEX work_orders_list_department_due;
ALTER TABLE work_orders DROP COLUMN due_sort;
ALTER TABLE work_orders ADD COLUMN due_sort BIGINT GENERATED ALWAYS AS (COALESCE(due_at, 253402300799999 + created_at)) {{GENERATED}};
CREATE INDEX work_orders_list_due ON work_orders (due_sort, code, order_type, state, department_code, due_at);
CREATE INDEX work_orders_list_district_due ON work_orders (district_code, due_sort, code, order_type, state, department_code, due_at);
CREATE INDEX work_orders_list_department_due ON work_orders (department_code, due_sort, code, order_type, state, due_at);
