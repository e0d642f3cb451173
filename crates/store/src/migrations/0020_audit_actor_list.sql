-- The audit log filtered by one actor, in either sort (time order is chain
-- order, see `append_audit!`): the index ends with the tie `seq` so a page is a
-- range read in page order, not a sort of the actor's period (issue 10).
CREATE INDEX audit_log_list_actor ON audit_log (actor, at_ms, seq);
DROP INDEX audit_log_actor;
