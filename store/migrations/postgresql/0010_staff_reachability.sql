-- A staff member who blocked the bot (or deleted their account) cannot be reminded; the time
-- it was noticed, so their lead can be told once and the next message to them is not tried.
ALTER TABLE staff ADD COLUMN unreachable_since TEXT;
