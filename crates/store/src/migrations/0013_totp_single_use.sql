-- Issue 11, Medium 6: a TOTP code is accepted once. The last time step
-- accepted per account; a login or enrolment must present a later one.
-- (The secret in users.totp_secret is sealed by the server from now on.)
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
