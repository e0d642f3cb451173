-- The audit chain becomes keyed (issue 11, High-2): entries written from now
-- on carry HMAC-SHA256 under a key kept outside the database (chain 2).
-- Entries already stored keep their plain SHA-256 hashes (chain 1): the table
-- is append-only and is never re-hashed; verification checks them as they
-- are and refuses an unkeyed entry after the first keyed one.
ALTER TABLE audit_log ADD COLUMN chain INTEGER NOT NULL DEFAULT 1;
