-- Publications (SPEC §14): a bulletin, an assessment or a rectification report as it was published.
-- The renderings are kept as published (JSON, HTML, XLSX bytes), not rebuilt: figures, targets and
-- schemes are revised afterwards, and the report the leaders received must still come out byte for
-- byte. `sha256` is the hex SHA-256 of `json`; `as_of` is the moment the report was built, equal to
-- `published_at` (UTC, milliseconds, as the audit stamps its entries).
CREATE TABLE publications (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('bulletin', 'assessment', 'rectification')),
    -- YYYYQn or YYYY
    period        TEXT NOT NULL,
    -- the region the report is of; NULL for the rectification report, which is of no region. No
    -- foreign key: what was published stays published when the region is later removed.
    region        TEXT,
    published_at  TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    as_of         TEXT NOT NULL,
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    json          BLOB NOT NULL,
    html          BLOB NOT NULL,
    xlsx          BLOB NOT NULL
);
CREATE INDEX publications_by_kind ON publications (kind, id);
