-- A work order's timeline is append-only: the database itself refuses changes.
CREATE TRIGGER work_order_timeline_no_update BEFORE UPDATE ON work_order_timeline
BEGIN
    SELECT RAISE(ABORT, 'work_order_timeline is append-only');
END;
CREATE TRIGGER work_order_timeline_no_delete BEFORE DELETE ON work_order_timeline
BEGIN
    SELECT RAISE(ABORT, 'work_order_timeline is append-only');
END;
