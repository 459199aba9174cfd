-- Which planner has done a branch's work for one of its local days (the occasion reminders,
-- a shift's brief): the sweep asks once for the day's marks and skips what is planned, so a
-- branch with nothing left to plan costs it nothing. Written in the transaction that enqueues
-- what was planned, so a crash leaves neither without the other.
CREATE TABLE planned_days (
    planner    TEXT NOT NULL,
    branch     TEXT NOT NULL,
    day        TEXT NOT NULL,
    planned_at TEXT NOT NULL,
    PRIMARY KEY (planner, branch, day)
);
