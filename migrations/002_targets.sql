-- Annual targets per region and indicator, and the year-end assessment scheme per year.

CREATE TABLE targets (
    region      TEXT NOT NULL REFERENCES regions (id),
    indicator   TEXT NOT NULL REFERENCES indicators (code),
    year        INTEGER NOT NULL,
    value       REAL NOT NULL,
    milestones  TEXT NOT NULL,   -- JSON array of four shares
    source      TEXT NOT NULL,
    set_by      TEXT NOT NULL,
    set_at      TEXT NOT NULL,
    PRIMARY KEY (region, indicator, year)
) WITHOUT ROWID;
CREATE INDEX targets_by_year ON targets (year, indicator);

CREATE TABLE assessment_schemes (
    year    INTEGER PRIMARY KEY,
    scheme  TEXT NOT NULL,       -- JSON, as set
    set_by  TEXT NOT NULL,
    set_at  TEXT NOT NULL
);
