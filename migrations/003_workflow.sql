-- The reporting workflow (SPEC §2.11): the state of each region's quarter, and whole quarters
-- locked by the bureau. Every change of either is also in the audit log, with its reason; these
-- tables hold only the current state. No row means a draft, or an unlocked quarter.

CREATE TABLE workflow (
    region        TEXT NOT NULL REFERENCES regions (id),
    year          INTEGER NOT NULL,
    quarter       INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    state         TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'returned')),
    comment       TEXT,            -- of the latest change; a return's says what to correct
    changed_by    TEXT NOT NULL,
    changed_at    TEXT NOT NULL,
    submitted_by  TEXT,            -- the submission under review or approved; cleared by a return
    submitted_at  TEXT,
    PRIMARY KEY (region, year, quarter)
) WITHOUT ROWID;
CREATE INDEX workflow_by_quarter ON workflow (year, quarter);

CREATE TABLE quarter_locks (
    year       INTEGER NOT NULL,
    quarter    INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    reason     TEXT NOT NULL,
    locked_by  TEXT NOT NULL,
    locked_at  TEXT NOT NULL,
    PRIMARY KEY (year, quarter)
) WITHOUT ROWID;
