-- A number that changes with every change of the regions or indicators, so that the service can keep
-- them in memory between requests (engine::world). Random rather than counted, so that no number is
-- used twice: not by a change that was rolled back, nor by a new database file at the same path.
CREATE TABLE world_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO world_version (id, version) VALUES (1, random());

CREATE TRIGGER regions_inserted AFTER INSERT ON regions BEGIN UPDATE world_version SET version = random(); END;
CREATE TRIGGER regions_updated AFTER UPDATE ON regions BEGIN UPDATE world_version SET version = random(); END;
CREATE TRIGGER regions_deleted AFTER DELETE ON regions BEGIN UPDATE world_version SET version = random(); END;
CREATE TRIGGER indicators_inserted AFTER INSERT ON indicators BEGIN UPDATE world_version SET version = random(); END;
CREATE TRIGGER indicators_updated AFTER UPDATE ON indicators BEGIN UPDATE world_version SET version = random(); END;
CREATE TRIGGER indicators_deleted AFTER DELETE ON indicators BEGIN UPDATE world_version SET version = random(); END;
