-- Core schema: regions, indicators, submitted figures, users and tokens, the audit log.

CREATE TABLE regions (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('district', 'town', 'zone', 'benchmark')),
    parent  TEXT REFERENCES regions (id),
    grp     TEXT,
    sort    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX regions_by_parent ON regions (parent);

CREATE TABLE indicators (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    unit            TEXT NOT NULL,
    decimals        INTEGER NOT NULL CHECK (decimals BETWEEN 0 AND 6),
    direction       TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
    mode            TEXT NOT NULL CHECK (mode IN ('ytd', 'quarter', 'stock', 'derived')),
    formula         TEXT,
    allow_negative  INTEGER NOT NULL DEFAULT 0,
    sort            INTEGER NOT NULL DEFAULT 0
);

-- Figures exactly as submitted. quarter 0 is a whole year (benchmark regions only).
CREATE TABLE observations (
    region        TEXT NOT NULL REFERENCES regions (id),
    indicator     TEXT NOT NULL REFERENCES indicators (code),
    year          INTEGER NOT NULL,
    quarter       INTEGER NOT NULL CHECK (quarter BETWEEN 0 AND 4),
    value         REAL NOT NULL,
    comment       TEXT,
    submitted_by  TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,
    PRIMARY KEY (region, indicator, year, quarter)
) WITHOUT ROWID;
CREATE INDEX observations_by_indicator ON observations (indicator, year, region);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'statistician', 'viewer')),
    password_hash  TEXT,
    created_at     TEXT NOT NULL
);

CREATE TABLE user_regions (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    region   TEXT NOT NULL REFERENCES regions (id),
    PRIMARY KEY (user_id, region)
);

-- API tokens, kept only as SHA-256 hashes of 256-bit random secrets.
CREATE TABLE tokens (
    hash        TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL
);

-- Every change: when, who, what, old and new (JSON), why. Never updated or deleted.
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    user       TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    key        TEXT NOT NULL,
    region     TEXT,
    indicator  TEXT,
    period     TEXT,
    old        TEXT,
    new        TEXT,
    reason     TEXT
);
CREATE INDEX audit_by_region ON audit (region, indicator, period);
CREATE INDEX audit_by_indicator ON audit (indicator, period);
