-- Issue 12: reminders before due. An open order whose due time comes within
-- the configured lead time raises the yellow level of its overdue warning
-- (the reminder) once per order and state; a step re-arms it. The sweep reads
-- the partial index of orders due and not yet reminded, so its cost grows
-- with the orders falling due soon, not with the orders open.
ALTER TABLE work_orders ADD COLUMN reminded BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX work_orders_remind ON work_orders (due_at) WHERE due_at IS NOT NULL AND reminded = FALSE;
