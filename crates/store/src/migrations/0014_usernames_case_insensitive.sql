-- Issue 11, Low: usernames are unique whatever their case ("Admin" cannot be
-- created beside "admin"); a second index, on the lower-cased name.
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
