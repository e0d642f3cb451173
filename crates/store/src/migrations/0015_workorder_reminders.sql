-- Issue 12: reminders before due, and the workbench's indexes. An open order
-- whose due time comes within the configured lead time raises the yellow level
-- of its overdue warning (the reminder) once per order and state; a step
-- re-arms it. The sweep reads the partial index of orders due and not yet
-- reminded, so its cost grows with the orders falling due soon, not with the
-- orders open.
ALTER TABLE work_orders ADD COLUMN reminded BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX work_orders_remind ON work_orders (due_at) WHERE due_at IS NOT NULL AND reminded = FALSE;

-- The workbench at a million orders: its other sorts read an index like the
-- default one (the city's pages and a district's), and 我的待办 — a few
-- (type, state) pairs of the orders in scope — reads the orders of those
-- pairs instead of every order in created order.
CREATE INDEX work_orders_list_updated ON work_orders (updated_at, code);
CREATE INDEX work_orders_list_district_updated ON work_orders (district_code, updated_at, code);
CREATE INDEX work_orders_list_due ON work_orders ((COALESCE(due_at, 253402300799999)), code);
CREATE INDEX work_orders_list_district_due ON work_orders (district_code, (COALESCE(due_at, 253402300799999)), code);
CREATE INDEX work_orders_todo ON work_orders (order_type, state, created_at, code);
