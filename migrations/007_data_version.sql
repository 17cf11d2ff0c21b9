-- A number that changes with every change of anything a computed answer depends on: figures,
-- targets, schemes, regions, indicators. Answers are kept in memory under it (engine::cache).
-- Random, like the world version, so that no number is used twice.
CREATE TABLE data_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, random());

CREATE TRIGGER observations_inserted AFTER INSERT ON observations BEGIN UPDATE data_version SET version = random(); END;
CREATE TRIGGER observations_updated AFTER UPDATE ON observations BEGIN UPDATE data_version SET version = random(); END;
CREATE TRIGGER observations_deleted AFTER DELETE ON observations BEGIN UPDATE data_version SET version = random(); END;
CREATE TRIGGER targets_inserted AFTER INSERT ON targets BEGIN UPDATE data_version SET version = random(); END;
CREATE TRIGGER targets_updated AFTER UPDATE ON targets BEGIN UPDATE data_version SET version = random(); END;
CREATE TRIGGER targets_deleted AFTER DELETE ON targets BEGIN UPDATE data_version SET version = random(); END;
CREATE TRIGGER schemes_inserted AFTER INSERT ON assessment_schemes BEGIN UPDATE data_version SET version = random(); END;
CREATE TRIGGER schemes_updated AFTER UPDATE ON assessment_schemes BEGIN UPDATE data_version SET version = random(); END;
CREATE TRIGGER schemes_deleted AFTER DELETE ON assessment_schemes BEGIN UPDATE data_version SET version = random(); END;
-- regions and indicators change the world version; the answers depend on them too
CREATE TRIGGER world_changed AFTER UPDATE ON world_version BEGIN UPDATE data_version SET version = random(); END;
