-- Real statistics (issue 12): more region kinds (province, city, county, street) and `iso3` for
-- benchmark countries; indicators reported annually (`frequency`) and only by some subtrees
-- (`regions`, a JSON list of region ids, NULL for every region).
--
-- SQLite cannot change a CHECK constraint in place, so `regions` is rebuilt as SQLite's manual
-- says (new table, copy, drop, rename), with foreign keys off while migrating (store::open): the
-- other tables' foreign keys name `regions` and then name the new table. The triggers and the
-- index go with the old table and are made again.
CREATE TABLE regions_new (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('province', 'city', 'district', 'county', 'town', 'street', 'zone', 'benchmark')),
    parent  TEXT REFERENCES regions (id),
    grp     TEXT,
    sort    INTEGER NOT NULL DEFAULT 0,
    iso3    TEXT
);
INSERT INTO regions_new (id, name, kind, parent, grp, sort) SELECT id, name, kind, parent, grp, sort FROM regions;
DROP TABLE regions;
ALTER TABLE regions_new RENAME TO regions;
CREATE INDEX regions_by_parent ON regions (parent);
CREATE TRIGGER regions_inserted AFTER INSERT ON regions BEGIN UPDATE world_version SET version = random(); END;
CREATE TRIGGER regions_updated AFTER UPDATE ON regions BEGIN UPDATE world_version SET version = random(); END;
CREATE TRIGGER regions_deleted AFTER DELETE ON regions BEGIN UPDATE world_version SET version = random(); END;
UPDATE world_version SET version = random();

ALTER TABLE indicators ADD COLUMN frequency TEXT NOT NULL DEFAULT 'quarterly' CHECK (frequency IN ('quarterly', 'annual'));
ALTER TABLE indicators ADD COLUMN regions TEXT;
