-- Rectification plans and their supervision (整改督办): the bureau's departments, officers who act
-- for them, plans with their problems and tasks, quarterly progress reports and supervision orders.
--
-- `users` is rebuilt to admit the `officer` role (SQLite cannot change a CHECK constraint in place),
-- as 008 rebuilt `regions`: new table, copy, drop, rename, with foreign keys off while migrating;
-- the other tables' foreign keys name `users` and then name the new table.
CREATE TABLE users_new (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'statistician', 'viewer', 'officer')),
    password_hash  TEXT,
    created_at     TEXT NOT NULL
);
INSERT INTO users_new (id, name, role, password_hash, created_at)
    SELECT id, name, role, password_hash, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

CREATE TABLE departments (
    name  TEXT PRIMARY KEY,
    sort  INTEGER NOT NULL DEFAULT 0
);

-- The departments an officer acts for (a statistician's regions are in user_regions).
CREATE TABLE user_departments (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    department  TEXT NOT NULL REFERENCES departments (name),
    PRIMARY KEY (user_id, department)
);

CREATE TABLE plans (
    id     TEXT PRIMARY KEY,
    title  TEXT NOT NULL,
    year   INTEGER NOT NULL
);

-- `indicators`: the figures that show the problem, JSON [{"indicator", "region"}].
CREATE TABLE problems (
    id           INTEGER PRIMARY KEY,
    plan         TEXT NOT NULL REFERENCES plans (id),
    seq          INTEGER NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    indicators   TEXT NOT NULL DEFAULT '[]',
    UNIQUE (plan, seq)
);

-- Lists are JSON arrays in their order (the first leader is 直接责任人, the first department the
-- lead department); `departments` is also in task_departments, to find an officer's tasks.
-- `deadline`: YYYY-MM-DD or 'long_term'. `targets`: JSON [{"region", "indicator", "year"}].
CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY,
    problem      INTEGER NOT NULL REFERENCES problems (id),
    seq          INTEGER NOT NULL,
    title        TEXT NOT NULL,
    measures     TEXT NOT NULL DEFAULT '[]',
    leaders      TEXT NOT NULL DEFAULT '[]',
    departments  TEXT NOT NULL DEFAULT '[]',
    persons      TEXT NOT NULL DEFAULT '[]',
    deadline     TEXT NOT NULL,
    targets      TEXT NOT NULL DEFAULT '[]',
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    done_at      TEXT,
    done_report  TEXT,
    created_at   TEXT NOT NULL,
    UNIQUE (problem, seq)
);

CREATE TABLE task_departments (
    task        INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    department  TEXT NOT NULL REFERENCES departments (name),
    lead        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (task, department)
);
CREATE INDEX task_departments_by_department ON task_departments (department);

-- One report per task and quarter; a second replaces the first (the audit keeps both).
CREATE TABLE progress_reports (
    task     INTEGER NOT NULL REFERENCES tasks (id),
    year     INTEGER NOT NULL,
    quarter  INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    text     TEXT NOT NULL,
    percent  REAL,
    by_user  TEXT NOT NULL,
    at       TEXT NOT NULL,
    PRIMARY KEY (task, year, quarter)
);

-- 督办单: `n` counts the orders issued in `year` (督办〔year〕n号); `reasons` is a JSON list.
CREATE TABLE orders (
    id            INTEGER PRIMARY KEY,
    year          INTEGER NOT NULL,
    n             INTEGER NOT NULL,
    task          INTEGER NOT NULL REFERENCES tasks (id),
    reasons       TEXT NOT NULL DEFAULT '[]',
    issued_at     TEXT NOT NULL,
    issued_by     TEXT NOT NULL,
    respond_by    TEXT NOT NULL,
    response      TEXT,
    responded_at  TEXT,
    responded_by  TEXT,
    closed_at     TEXT,
    UNIQUE (year, n)
);
CREATE INDEX orders_by_task ON orders (task);
-- at most one open (unclosed) order per task: a second run of the supervision issues nothing
CREATE UNIQUE INDEX one_open_order_per_task ON orders (task) WHERE closed_at IS NULL;
