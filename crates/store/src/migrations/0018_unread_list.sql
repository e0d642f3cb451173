-- The inbox's 未读 tab (and the header's pop-up) lists a user's unread
-- messages newest first. Read messages far outnumber unread ones once people
-- work their inbox, so reading the user's messages in time order until a page
-- of unread ones is found could read all of them: this partial index holds the
-- unread ones alone, in the list's order (issue 10).
CREATE INDEX messages_unread_list ON messages (user_id, created_at, id) WHERE read_at IS NULL;
