-- A work order's timeline is append-only: the database itself refuses changes.
CREATE FUNCTION work_order_timeline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'work_order_timeline is append-only';
END;
$$;
CREATE TRIGGER work_order_timeline_no_change BEFORE UPDATE OR DELETE ON work_order_timeline
    FOR EACH ROW EXECUTE FUNCTION work_order_timeline_append_only();
