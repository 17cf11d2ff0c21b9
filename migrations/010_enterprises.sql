-- The enterprise register (企业库): enterprises by their 统一社会信用代码, their yearly attributes,
-- R&D institutions and figures; indicators admit mode `register` with the rule they count by.

-- SQLite cannot change a CHECK: the indicators table is made again, as its manual prescribes.
CREATE TABLE indicators_new (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    unit            TEXT NOT NULL,
    decimals        INTEGER NOT NULL CHECK (decimals BETWEEN 0 AND 6),
    direction       TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
    mode            TEXT NOT NULL CHECK (mode IN ('ytd', 'quarter', 'stock', 'derived', 'register')),
    formula         TEXT,
    allow_negative  INTEGER NOT NULL DEFAULT 0,
    sort            INTEGER NOT NULL DEFAULT 0,
    frequency       TEXT NOT NULL DEFAULT 'quarterly' CHECK (frequency IN ('quarterly', 'annual')),
    regions         TEXT,
    -- JSON {"count": true | "sum": MEASURE, "where": [FLAG, …]}, exactly for mode register
    rule            TEXT,
    CHECK ((mode = 'register') = (rule IS NOT NULL))
);
INSERT INTO indicators_new (code, name, unit, decimals, direction, mode, formula, allow_negative, sort, frequency, regions)
    SELECT code, name, unit, decimals, direction, mode, formula, allow_negative, sort, frequency, regions FROM indicators;
DROP TABLE indicators;
ALTER TABLE indicators_new RENAME TO indicators;
CREATE TRIGGER indicators_inserted AFTER INSERT ON indicators BEGIN UPDATE world_version SET version = random(); END;
CREATE TRIGGER indicators_updated AFTER UPDATE ON indicators BEGIN UPDATE world_version SET version = random(); END;
CREATE TRIGGER indicators_deleted AFTER DELETE ON indicators BEGIN UPDATE world_version SET version = random(); END;

CREATE TABLE enterprises (
    code        TEXT PRIMARY KEY CHECK (length(code) = 18),
    name        TEXT NOT NULL,
    region      TEXT NOT NULL REFERENCES regions (id)
);
CREATE INDEX enterprises_by_region ON enterprises (region);

-- 规模以上, 高新技术企业, 销售超亿元, 重大项目企业 in a year; a year not here takes the latest earlier one's
CREATE TABLE enterprise_years (
    code             TEXT NOT NULL REFERENCES enterprises (code) ON DELETE CASCADE,
    year             INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2200),
    scale            INTEGER NOT NULL CHECK (scale IN (0, 1)),
    high_tech        INTEGER NOT NULL CHECK (high_tech IN (0, 1)),
    sales_over_100m  INTEGER NOT NULL CHECK (sales_over_100m IN (0, 1)),
    major_project    INTEGER NOT NULL CHECK (major_project IN (0, 1)),
    PRIMARY KEY (code, year)
) WITHOUT ROWID;

CREATE TABLE enterprise_institutions (
    id      INTEGER PRIMARY KEY,
    code    TEXT NOT NULL REFERENCES enterprises (code) ON DELETE CASCADE,
    kind    TEXT NOT NULL CHECK (kind IN ('tech_center', 'engineering_center', 'graduate_station', 'postdoc_station',
                                          'academician_station', 'key_lab', 'other')),
    level   TEXT NOT NULL CHECK (level IN ('national', 'provincial', 'municipal', 'district')),
    name    TEXT,
    since   INTEGER NOT NULL CHECK (since BETWEEN 1900 AND 2200),
    until   INTEGER CHECK (until IS NULL OR until >= since)
);
CREATE INDEX enterprise_institutions_by_code ON enterprise_institutions (code);

-- An enterprise's figures: flows year to date, stocks at the period's end; quarter 0 is a whole year.
CREATE TABLE enterprise_values (
    code     TEXT NOT NULL REFERENCES enterprises (code) ON DELETE CASCADE,
    measure  TEXT NOT NULL CHECK (measure IN ('patent_applications', 'invention_applications', 'patent_grants',
                                              'rd_expenditure', 'sales', 'valid_patents', 'valid_invention_patents')),
    year     INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2200),
    quarter  INTEGER NOT NULL CHECK (quarter BETWEEN 0 AND 4),
    value    REAL NOT NULL,
    PRIMARY KEY (code, measure, year, quarter)
) WITHOUT ROWID;

-- Register indicators are computed from these tables and the indicators' rules, and kept in memory
-- under the register version (engine::cache), which changes with them and with the world; every
-- change of it is a change of the data.
CREATE TABLE register_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO register_version (id, version) VALUES (1, random());
CREATE TRIGGER register_changed AFTER UPDATE ON register_version BEGIN UPDATE data_version SET version = random(); END;
CREATE TRIGGER world_changes_register AFTER UPDATE ON world_version BEGIN UPDATE register_version SET version = random(); END;
CREATE TRIGGER enterprises_changed AFTER UPDATE ON enterprises BEGIN UPDATE register_version SET version = random(); END;
CREATE TRIGGER enterprises_inserted AFTER INSERT ON enterprises BEGIN UPDATE register_version SET version = random(); END;
CREATE TRIGGER enterprises_deleted AFTER DELETE ON enterprises BEGIN UPDATE register_version SET version = random(); END;
CREATE TRIGGER enterprise_years_inserted AFTER INSERT ON enterprise_years BEGIN UPDATE register_version SET version = random(); END;
CREATE TRIGGER enterprise_years_updated AFTER UPDATE ON enterprise_years BEGIN UPDATE register_version SET version = random(); END;
CREATE TRIGGER enterprise_years_deleted AFTER DELETE ON enterprise_years BEGIN UPDATE register_version SET version = random(); END;
CREATE TRIGGER enterprise_institutions_inserted AFTER INSERT ON enterprise_institutions BEGIN UPDATE register_version SET version = random(); END;
CREATE TRIGGER enterprise_institutions_updated AFTER UPDATE ON enterprise_institutions BEGIN UPDATE register_version SET version = random(); END;
CREATE TRIGGER enterprise_institutions_deleted AFTER DELETE ON enterprise_institutions BEGIN UPDATE register_version SET version = random(); END;
CREATE TRIGGER enterprise_values_inserted AFTER INSERT ON enterprise_values BEGIN UPDATE register_version SET version = random(); END;
CREATE TRIGGER enterprise_values_updated AFTER UPDATE ON enterprise_values BEGIN UPDATE register_version SET version = random(); END;
CREATE TRIGGER enterprise_values_deleted AFTER DELETE ON enterprise_values BEGIN UPDATE register_version SET version = random(); END;
